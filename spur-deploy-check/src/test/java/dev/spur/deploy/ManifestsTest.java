package dev.spur.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.cli.Main;
import dev.spur.server.SpurServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * deploy/kubernetes, rendered by {@code kubectl kustomize} as a user would apply it, and checked offline:
 * every object against the Kubernetes API's types ({@link KubernetesObjects}), then what the API cannot
 * know — that the pieces fit each other and fit Spur.
 */
class ManifestsTest {
    /**
     * Flags the manifests pass that this build's {@code spur server} does not have yet: the agreed
     * interface of a feature still being wired (none now: issue #9's --node-name and --advertise exist). Once
     * a flag exists the test says so, and it must leave this list.
     */
    private static final Set<String> NOT_ON_MAIN_YET = Set.of();

    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final int LONGEST_FUNCTION_TIMEOUT_SECONDS = 900;

    static Stream<Path> overlays() {
        return Repo.overlays().stream();
    }

    @Test
    void theBaseAndEveryOverlayRenderAndMatchTheKubernetesApi() {
        assertThat(Repo.overlays()).extracting(p -> p.getFileName().toString()).contains("example", "process-sandbox");
        for (Path dir : Stream.concat(Stream.of(Repo.KUBERNETES.resolve("base")), overlays())
                .toList()) {
            KubernetesObjects objects = KubernetesObjects.read(Repo.kustomize(dir));
            assertThat(objects.all(StatefulSet.class)).as(dir.toString()).hasSize(1);
            assertThat(objects.all(Service.class)).as(dir.toString()).hasSize(2);
            assertThat(objects.all(PodDisruptionBudget.class))
                    .as(dir.toString())
                    .hasSize(1);
        }
    }

    @Test
    void aFieldTheApiDoesNotHaveIsRefusedWithItsName() {
        String misspelled = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: spur}
                spec:
                  serviceName: spur-peers
                  selector: {matchLabels: {app: spur}}
                  template:
                    metadata: {labels: {app: spur}}
                    spec:
                      containers:
                        - name: spur
                          image: spur
                          readinesProbe: {httpGet: {path: /spur/v1/health, port: 9000}}
                """;
        String wrongType = """
                apiVersion: v1
                kind: Service
                metadata: {name: spur}
                spec:
                  ports: [{port: [9000]}]
                """;
        String wrongVersion = """
                apiVersion: policy/v1beta1
                kind: PodDisruptionBudget
                metadata: {name: spur}
                """;

        assertThatThrownBy(() -> KubernetesObjects.read(misspelled)).hasMessageContaining("readinesProbe");
        assertThatThrownBy(() -> KubernetesObjects.read(wrongType)).hasMessageContaining("port");
        assertThatThrownBy(() -> KubernetesObjects.read(wrongVersion))
                .hasMessageContaining("policy/v1beta1/PodDisruptionBudget");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theServicesAndTheBudgetSelectTheNodesPodsOnTheirHttpPort(Path overlay) {
        KubernetesObjects objects = KubernetesObjects.read(Repo.kustomize(overlay));
        StatefulSet nodes = objects.only(StatefulSet.class);
        Map<String, String> podLabels =
                nodes.getSpec().getTemplate().getMetadata().getLabels();
        Container spur = container(nodes);

        assertThat(podLabels).containsAllEntriesOf(nodes.getSpec().getSelector().getMatchLabels());
        Service peers = objects.named(Service.class, nodes.getSpec().getServiceName())
                .orElseThrow(() -> new AssertionError("no Service named by serviceName"));
        assertThat(peers.getSpec().getClusterIP())
                .as("the peers' Service is headless")
                .isEqualTo("None");
        assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
        for (Service service : objects.all(Service.class)) {
            assertThat(service.getSpec().getSelector())
                    .as(service.getMetadata().getName())
                    .isNotEmpty();
            assertThat(podLabels)
                    .as(service.getMetadata().getName())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            service.getSpec()
                    .getPorts()
                    .forEach(p -> assertThat(
                                    containerPort(spur, p.getTargetPort().getStrVal()))
                            .as(service.getMetadata().getName() + " targets the port Spur listens on")
                            .isEqualTo(flagInt(spur, "--port")));
        }
        PodDisruptionBudget budget = objects.only(PodDisruptionBudget.class);
        assertThat(podLabels)
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(nodes.getSpec().getReplicas()).isGreaterThan(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void terminationWaitsForTheLongestFunctionTimeoutBeforeKilling(Path overlay) {
        StatefulSet nodes = KubernetesObjects.read(Repo.kustomize(overlay)).only(StatefulSet.class);
        PodSpec pod = nodes.getSpec().getTemplate().getSpec();
        Container spur = container(nodes);
        long drain = parseSeconds(flag(spur, "--drain-timeout"));
        long preStop = spur.getLifecycle().getPreStop().getSleep().getSeconds();

        assertThat(drain).isGreaterThanOrEqualTo(LONGEST_FUNCTION_TIMEOUT_SECONDS);
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(preStop + drain);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyProbeAsksARealSpurOnItsPortAndGetsOk(Path overlay, @TempDir Path data) throws Exception {
        Container spur =
                container(KubernetesObjects.read(Repo.kustomize(overlay)).only(StatefulSet.class));
        List<Probe> probes = Stream.of(spur.getReadinessProbe(), spur.getLivenessProbe(), spur.getStartupProbe())
                .toList();
        assertThat(probes).doesNotContainNull();

        try (SpurServer server =
                        SpurServer.start(SpurServer.Options.defaults(data).withPort(0));
                HttpClient http = HttpClient.newHttpClient()) {
            for (Probe probe : probes) {
                HTTPGetAction get = probe.getHttpGet();
                assertThat(containerPort(spur, get.getPort().getStrVal())).isEqualTo(flagInt(spur, "--port"));
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(URI.create(server.endpoint() + get.getPath()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(get.getPath()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("{\"status\":\"ok\"}");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theDatabaseUrlComesFromASecretKeyTheOverlayCreates(Path overlay) {
        KubernetesObjects objects = KubernetesObjects.read(Repo.kustomize(overlay));
        EnvVar url = env(container(objects.only(StatefulSet.class)), "SPUR_DATABASE_URL");
        var ref = url.getValueFrom().getSecretKeyRef();
        Secret secret = objects.named(Secret.class, ref.getName())
                .orElseThrow(() -> new AssertionError("no Secret " + ref.getName() + " in " + overlay));

        assertThat(secret.getData()).containsKey(ref.getKey());
        assertThat(ref.getOptional()).isNotEqualTo(Boolean.TRUE);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServerFlagExistsAndEveryVariableItNamesIsDefinedBeforeIt(Path overlay) {
        StatefulSet nodes = KubernetesObjects.read(Repo.kustomize(overlay)).only(StatefulSet.class);
        Container spur = container(nodes);
        List<String> args = spur.getArgs();
        Set<String> known = new HashSet<>();
        CommandLine.Model.CommandSpec server =
                new CommandLine(new Main()).getSubcommands().get("server").getCommandSpec();
        server.options().forEach(o -> known.addAll(List.of(o.names())));

        assertThat(args.getFirst()).isEqualTo("server");
        assertThat(spur.getImage()).as("an overlay names a real image").isNotEqualTo("spur");
        for (String arg : args.subList(1, args.size())) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            assertThat(name).as("flags are written --name=value").startsWith("--");
            if (NOT_ON_MAIN_YET.contains(name)) {
                assertThat(known)
                        .as(name + " exists now: take it off NOT_ON_MAIN_YET")
                        .doesNotContain(name);
            } else {
                assertThat(known).as("spur server " + name).contains(name);
            }
            Matcher m = VARIABLE.matcher(arg);
            while (m.find()) {
                assertThat(spur.getEnv()).extracting(EnvVar::getName).as(arg).contains(m.group(1));
            }
        }
        // and spur's own parser takes every value, with the variables as Kubernetes expands them
        String[] expanded = args.stream()
                .filter(a -> NOT_ON_MAIN_YET.stream().noneMatch(f -> a.startsWith(f + "=")))
                .map(a -> VARIABLE.matcher(a).replaceAll(v -> {
                    EnvVar e = env(spur, v.group(1));
                    return e.getValue() != null ? e.getValue() : "spur-0";
                }))
                .toArray(String[]::new);
        new CommandLine(new Main()).parseArgs(expanded);
    }

    @Test
    void theLinuxSandboxGetsWhatBubblewrapNeedsAndUidsThatExistInItsUserNamespace() {
        StatefulSet nodes = KubernetesObjects.read(Repo.kustomize(Repo.KUBERNETES.resolve("overlays/example")))
                .only(StatefulSet.class);
        Container spur = container(nodes);
        PodSpec pod = nodes.getSpec().getTemplate().getSpec();
        String[] uids = flag(spur, "--sandbox-uids").split("-");

        assertThat(env(spur, "SPUR_SANDBOX").getValue()).isEqualTo("linux");
        assertThat(pod.getHostUsers()).isFalse();
        assertThat(Integer.parseInt(uids[0])).isPositive();
        assertThat(Integer.parseInt(uids[1]))
                .as("a pod's user namespace maps uids 0-65535")
                .isLessThan(65535);
        assertThat(spur.getSecurityContext().getSeccompProfile().getType()).isEqualTo("Unconfined");
        assertThat(spur.getSecurityContext().getAppArmorProfile().getType()).isEqualTo("Unconfined");
        assertThat(spur.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(nodes.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("io.kubernetes.cri-o.cgroup2-mount-hierarchy-rw", "true");
        long heapAndFunctionsMb = 1024 + flagInt(spur, "--memory-capacity");
        assertThat(env(spur, "SPUR_JAVA_OPTS").getValue()).isEqualTo("-Xmx1g");
        assertThat(spur.getResources()
                                .getLimits()
                                .get("memory")
                                .getNumericalAmount()
                                .longValue()
                        >> 20)
                .as("the pod's memory holds Spur's heap and its functions")
                .isGreaterThan(heapAndFunctionsMb);
    }

    @Test
    void theProcessSandboxFallbackRunsUnderTheRestrictedProfile() {
        StatefulSet nodes = KubernetesObjects.read(Repo.kustomize(Repo.KUBERNETES.resolve("overlays/process-sandbox")))
                .only(StatefulSet.class);
        Container spur = container(nodes);
        PodSpec pod = nodes.getSpec().getTemplate().getSpec();

        assertThat(env(spur, "SPUR_SANDBOX").getValue()).isEqualTo("process");
        assertThat(spur.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spur.getSecurityContext().getAppArmorProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spur.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(spur.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(nodes.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey("io.kubernetes.cri-o.cgroup2-mount-hierarchy-rw");
    }

    private static Container container(StatefulSet nodes) {
        return nodes.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("spur"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named spur"));
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no variable " + name));
    }

    private static String flag(Container c, String name) {
        return c.getArgs().stream()
                .filter(a -> a.startsWith(name + "="))
                .map(a -> a.substring(name.length() + 1))
                .findFirst()
                .orElseThrow(() -> new AssertionError("spur server is not given " + name));
    }

    private static int flagInt(Container c, String name) {
        return Integer.parseInt(flag(c, name));
    }

    private static int containerPort(Container c, String name) {
        return c.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name))
                .getContainerPort();
    }

    /** {@code 915s}, {@code 15m}: what spur's duration options take. */
    private static long parseSeconds(String duration) {
        long n = Long.parseLong(duration.substring(0, duration.length() - 1));
        return switch (duration.charAt(duration.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            default -> throw new AssertionError("not a duration: " + duration);
        };
    }
}
