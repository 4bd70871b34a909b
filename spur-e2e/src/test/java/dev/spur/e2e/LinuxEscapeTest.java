package dev.spur.e2e;

import static dev.spur.testing.server.Spur.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.HostProcess;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Issue #6, the escape suite: each test is a way out of the linux sandbox, tried by a real deployed
 * python3.12 function on a real server, and each must fail in the way named: another function's
 * code, the host's and other environments' processes, writing outside /tmp, setuid binaries, the
 * host's variables, another environment's Runtime API. The same attempts on bare processes are in
 * spur-sandbox's {@code LinuxSandboxEscapeTest}; that a function sees nothing of Spur's database and
 * data directory is in {@link LinuxSandboxTest}; the limits are in {@link LinuxLimitsE2eTest}.
 *
 * <p>The server's parent cgroup is its own ({@code spur-e2e-escape-<pid>}), so that its start (which
 * removes what a crashed Spur left under its parent) never touches another server's environments.
 */
@SpurTest(sandbox = SpurTest.Sandbox.LINUX, cgroup = "spur-e2e-escape")
class LinuxEscapeTest {
    static final String SANDBOX_UID =
            Integer.toString(LinuxSandbox.Settings.defaults().uid());
    static Spur spur;

    /** Every function here starts with this: {@code attempt} names the errno an action failed with. */
    static final String PRELUDE = """
            import ctypes, errno, os, signal, subprocess, time, uuid
            BOOT = str(uuid.uuid4())
            libc = ctypes.CDLL(None, use_errno=True)

            def attempt(action):
                try:
                    action()
                    return "allowed"
                except OSError as e:
                    return errno.errorcode.get(e.errno, str(e.errno))

            def failed(rc):
                return "allowed" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), "?")

            """;

    private static String deploy(String prefix, String handler) {
        return spur.deployPython(prefix, PRELUDE + handler, 128, 0, 20);
    }

    private static HostView.Environment environmentOf(String function) {
        List<HostView.Environment> found = HostView.environments(ProcessHandle.current(), function);
        assertThat(found).as("environments of %s", function).hasSize(1);
        return found.getFirst();
    }

    @Test
    void cannotReadAnotherFunctionsCodeByItsHostPathOrBesideVarTask() {
        String marker = "theirs-" + UUID.randomUUID();
        String theirs = deploy("victim", "def handler(event, context):\n    return '" + marker + "'\n");
        assertThat(ok(spur.invoke(theirs, Map.of())).asText()).isEqualTo(marker);
        Path codeStore = spur.dataDir().resolve("code");
        Path theirCode = codeDirectory(theirs).resolve("app.py");
        assertThat(theirCode)
                .as("where Spur keeps the other function's code")
                .content()
                .contains(marker);

        String mine = deploy("reader", """
                def search(marker):
                    # every file the function can open outside /usr, /proc and /dev: is the code there?
                    found, searched = [], 0
                    for top in ["/etc", "/var", "/tmp", "/dev/shm"]:
                        for root, dirs, files in os.walk(top):
                            for f in files:
                                try:
                                    with open(os.path.join(root, f), "rb") as fh:
                                        searched += 1
                                        if marker.encode() in fh.read(1 << 20):
                                            found.append(os.path.join(root, f))
                                except OSError:
                                    pass
                    return found, searched

                def handler(event, context):
                    other = event["otherCode"]
                    found, searched = search(event["marker"])
                    own, _ = search("reader-own-marker")  # the search works: it finds this very file
                    return {
                        "readByHostPath": attempt(lambda: open(other).read()),
                        "listItsDirectory": attempt(lambda: os.listdir(os.path.dirname(other))),
                        "listCodeStore": attempt(lambda: os.listdir(event["codeStore"])),
                        "var": sorted(os.listdir("/var")),
                        "beside": {p: attempt(lambda p=p: os.listdir(p)) for p in
                                   ["/var/task/../code", "/var/code", "/code", "/data", "/var/lib/spur",
                                    "/proc/1/root/var/task/../../code", "/proc/1/cwd/code"]},
                        "markerFoundIn": found,
                        "ownFoundIn": own,
                        "searched": searched,
                    }
                """);
        JsonNode r = ok(spur.invoke(
                mine, Map.of("otherCode", theirCode.toString(), "codeStore", codeStore.toString(), "marker", marker)));
        assertThat(r.get("readByHostPath").asText()).as(r.toString()).isEqualTo("ENOENT");
        assertThat(r.get("listItsDirectory").asText()).isEqualTo("ENOENT");
        assertThat(r.get("listCodeStore").asText()).isEqualTo("ENOENT");
        assertThat(r.get("var").toString()).isEqualTo("[\"runtime\",\"task\"]");
        r.get("beside")
                .properties()
                .forEach(e -> assertThat(e.getValue().asText()).as(e.getKey()).isEqualTo("ENOENT"));
        assertThat(r.get("markerFoundIn"))
                .as("files holding the other function's code")
                .isEmpty();
        assertThat(r.get("ownFoundIn").toString())
                .as("the search finding the reader's own code")
                .isEqualTo("[\"/var/task/app.py\"]");
        assertThat(r.get("searched").asInt()).isGreaterThan(5);
    }

    @Test
    void seesOnlyItsOwnProcessesAndCannotSignalOrTraceTheHostsOrAnotherEnvironments() {
        String other = deploy("other", """
                def handler(event, context):
                    return {"boot": BOOT}
                """);
        String otherBoot = ok(spur.invoke(other, Map.of())).get("boot").asText(); // idle, warm, frozen
        List<HostProcess> otherProcs = environmentOf(other).runtime();
        List<Long> otherPids = otherProcs.stream().map(HostProcess::pid).toList();
        long jvm = ProcessHandle.current().pid();

        String prober = deploy("prober", """
                def ptrace_attach(pid):
                    rc = libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
                    if rc == 0:
                        libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
                    return failed(rc)

                def handler(event, context):
                    jvm, others = event["jvm"], event["others"]
                    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
                    return {
                        "pids": pids,
                        "commands": [open("/proc/%d/comm" % p).read().strip() for p in pids],
                        "seesJvm": os.path.exists("/proc/%d" % jvm),
                        "seesOthers": [os.path.exists("/proc/%d" % p) for p in others],
                        "signalJvm": attempt(lambda: os.kill(jvm, 0)),
                        "killOthers": [attempt(lambda p=p: os.kill(p, signal.SIGKILL)) for p in others],
                        "ptraceJvm": ptrace_attach(jvm),
                        "ptraceOthers": [ptrace_attach(p) for p in others],
                        "jvmMemory": attempt(lambda: open("/proc/%d/mem" % jvm, "rb").read(1)),
                        "killEverything": attempt(lambda: os.kill(-1, signal.SIGKILL)),
                    }
                """);
        JsonNode r = ok(spur.invoke(prober, Map.of("jvm", jvm, "others", otherPids)));
        // bwrap's reaper as pid 1, the runtime as 2: nothing of the host or of the other environment
        assertThat(r.get("pids").toString()).as(r.toString()).isEqualTo("[1,2]");
        assertThat(r.get("commands").get(0).asText()).isEqualTo("bwrap");
        assertThat(r.get("commands").get(1).asText()).startsWith("python3");
        assertThat(r.get("seesJvm").asBoolean()).isFalse();
        assertThat(r.get("seesOthers"))
                .allSatisfy(seen -> assertThat(seen.asBoolean()).isFalse());
        assertThat(r.get("signalJvm").asText()).isEqualTo("ESRCH");
        assertThat(r.get("killOthers")).allSatisfy(e -> assertThat(e.asText()).isEqualTo("ESRCH"));
        assertThat(r.get("ptraceJvm").asText()).isEqualTo("ESRCH");
        assertThat(r.get("ptraceOthers")).allSatisfy(e -> assertThat(e.asText()).isEqualTo("ESRCH"));
        assertThat(r.get("jvmMemory").asText()).isEqualTo("ENOENT");
        assertThat(r.get("killEverything").asText())
                .as("kill(-1) reaches nothing but itself")
                .isEqualTo("ESRCH");

        assertThat(otherProcs)
                .allSatisfy(p -> assertThat(p.running()).as("pid %d", p.pid()).isTrue());
        assertThat(ok(spur.invoke(other, Map.of())).get("boot").asText())
                .as("the same, unharmed environment")
                .isEqualTo(otherBoot);
    }

    @Test
    void cannotWriteOutsideTmp() throws IOException {
        String writer = deploy("writer", """
                def append(path):
                    with open(path, "a") as f:
                        f.write("x")

                def handler(event, context):
                    targets = ["/x", "/var/x", "/var/task/x", "/var/task/app.py", "/var/runtime/x",
                               "/var/runtime/bootstrap.py", "/etc/x", "/etc/hosts", "/etc/passwd", "/usr/x",
                               "/usr/bin/python3", "/usr/lib/x", "/tmp/x"]
                    return {
                        "append": {p: attempt(lambda p=p: append(p)) for p in targets},
                        "mkdir /opt": attempt(lambda: os.mkdir("/opt")),
                        "symlink /x": attempt(lambda: os.symlink("/tmp/x", "/x")),
                        "unlink app.py": attempt(lambda: os.unlink("/var/task/app.py")),
                        "chmod app.py": attempt(lambda: os.chmod("/var/task/app.py", 0o777)),
                        "rename app.py": attempt(lambda: os.rename("/var/task/app.py", "/tmp/app.py")),
                        "remount /": failed(libc.mount(None, b"/", None, 32 | 4096, None)),  # MS_REMOUNT|MS_BIND
                    }
                """);
        JsonNode r = ok(spur.invoke(writer, Map.of()));
        JsonNode append = r.get("append");
        append.properties().forEach(e -> {
            if (e.getKey().equals("/tmp/x")) {
                assertThat(e.getValue().asText()).as(e.getKey()).isEqualTo("allowed");
            } else {
                assertThat(e.getValue().asText()).as("%s in %s", e.getKey(), r).isIn("EROFS", "EACCES");
            }
        });
        for (String created : List.of("/x", "/var/x", "/var/task/x", "/var/runtime/x", "/etc/x", "/usr/x")) {
            assertThat(append.get(created).asText()).as(created).isEqualTo("EROFS");
        }
        for (String op : List.of("mkdir /opt", "symlink /x", "unlink app.py", "chmod app.py", "rename app.py")) {
            assertThat(r.get(op).asText()).as(op).isIn("EROFS", "EXDEV");
        }
        assertThat(r.get("remount /").asText()).isEqualTo("EPERM");

        try (var files = Files.list(codeDirectory(writer))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("the code on the host")
                    .containsExactly("app.py");
        }
    }

    @Test
    void setuidBinariesGiveNoPrivilegeAndTheFunctionHoldsNoCapabilities() {
        String climber = deploy("climber", """
                def status(pid="self"):
                    with open("/proc/%s/status" % pid) as f:
                        return dict(line.rstrip("\\n").split(":\\t", 1) for line in f if ":\\t" in line)

                def credentials_of(binary, *args):
                    # Its output goes to a full pipe: the first thing it writes blocks it, so its
                    # credentials (fixed at exec) can be read while it runs, or as a zombie.
                    r, w = os.pipe()
                    os.set_blocking(w, False)
                    try:
                        while True:
                            os.write(w, b"x" * 4096)
                    except BlockingIOError:
                        pass
                    os.set_blocking(w, True)
                    p = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL, stdout=w, stderr=w)
                    os.close(w)
                    try:
                        deadline = time.monotonic() + 5
                        while time.monotonic() < deadline:
                            s = status(p.pid)
                            if s["Name"] == os.path.basename(binary) and s["State"][0] in "SDZT":
                                return {"uid": s["Uid"].split(), "capEff": s["CapEff"]}
                            time.sleep(0.001)
                        return {"uid": "did not block", "capEff": ""}
                    finally:
                        p.kill()
                        p.wait()
                        os.close(r)

                def run(*command):
                    p = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
                    return {"exit": p.returncode, "output": (p.stdout + p.stderr).decode("utf-8", "replace")}

                def handler(event, context):
                    me = status()
                    return {
                        "asRun": {"su": run("/usr/bin/su", "-c", "id -u", "root"),
                                  "passwd": run("/usr/bin/passwd", "-d", "root"),
                                  "mount": run("/usr/bin/mount", "-t", "tmpfs", "none", "/tmp")},
                        "credentials": {b: credentials_of("/usr/bin/" + b) for b in ["su", "passwd", "mount"]},
                        "self": {k: me[k] for k in ["Uid", "Gid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                                                    "NoNewPrivs"]},
                        "setuid(0)": attempt(lambda: os.setuid(0)),
                        "unshare(user)": failed(libc.unshare(0x10000000)),
                        "mount(tmpfs)": failed(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
                    }
                """);
        JsonNode r = ok(spur.invoke(climber, Map.of()));
        r.get("asRun").properties().forEach(e -> {
            assertThat(e.getValue().get("exit").asInt())
                    .as("%s: %s", e.getKey(), e.getValue())
                    .isNotZero();
            assertThat(e.getValue().get("output").asText())
                    .doesNotContain("uid=0")
                    .isNotEqualTo("0\n");
        });
        r.get("credentials").properties().forEach(e -> {
            assertThat(e.getValue().get("uid"))
                    .as("real, effective, saved, fs uid of %s", e.getKey())
                    .hasSize(4)
                    .allSatisfy(uid -> assertThat(uid.asText()).isEqualTo(SANDBOX_UID));
            assertThat(e.getValue().get("capEff").asText()).isEqualTo("0000000000000000");
        });
        JsonNode self = r.get("self");
        assertThat(self.get("Uid").asText().split("\t")).containsOnly(SANDBOX_UID);
        for (String caps : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertThat(self.get(caps).asText()).as(caps).isEqualTo("0000000000000000");
        }
        assertThat(self.get("NoNewPrivs").asText()).isEqualTo("1");
        assertThat(r.get("setuid(0)").asText()).as("uid 0 is not even mapped").isEqualTo("EINVAL");
        assertThat(r.get("unshare(user)").asText())
                .as("no further user namespaces")
                .isIn("ENOSPC", "EPERM");
        assertThat(r.get("mount(tmpfs)").asText()).isEqualTo("EPERM");
    }

    /** Lambda's reserved and defined variables, and what Spur's python runtime, Python and bwrap add. */
    static final Set<String> LAMBDA_VARIABLES = Set.of(
            "_HANDLER",
            "_X_AMZN_TRACE_ID",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_LAMBDA_LOG_FORMAT",
            "AWS_LAMBDA_LOG_LEVEL",
            "AWS_LAMBDA_RUNTIME_API",
            // credentials, as Lambda gives every function (placeholders with --auth none), and where
            // Spur's AWS-compatible services are, so the SDK inside a function talks to Spur
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_SQS",
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_SNS",
            "AWS_ENDPOINT_URL_EVENTBRIDGE",
            "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR",
            "LANG",
            "PATH",
            "LD_LIBRARY_PATH",
            "TZ",
            "PYTHONUNBUFFERED",
            "PYTHONDONTWRITEBYTECODE",
            "PWD",
            "LC_CTYPE"); // Python's own (PEP 538): the sandbox has no en_US.UTF-8 locale, so it coerces to C.UTF-8

    @Test
    void seesOnlyItsOwnAndLambdasEnvironmentVariables() {
        String name = spur.deploy(
                "env",
                FunctionPackage.python(PRELUDE + """
                        def handler(event, context):
                            return {"environ": dict(os.environ),
                                    "reaper": open("/proc/1/environ", "rb").read().decode("utf-8", "replace")}
                        """),
                b -> b.environment(e -> e.variables(Map.of("MINE", "yes"))));
        JsonNode r = ok(spur.invoke(name, Map.of()));
        Set<String> seen = new HashSet<>();
        r.get("environ").properties().forEach(e -> seen.add(e.getKey()));
        assertThat(r.get("environ").get("MINE").asText()).isEqualTo("yes");
        seen.remove("MINE");
        assertThat(seen)
                .as("variables beyond its own and Lambda's: %s", r.get("environ"))
                .isSubsetOf(LAMBDA_VARIABLES);
        assertThat(seen).contains("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "LAMBDA_TASK_ROOT");
        // Nothing of the host's (this JVM's, whose environment the server inherited) but what Lambda defines too.
        Set<String> hosts = new HashSet<>(System.getenv().keySet());
        hosts.removeAll(LAMBDA_VARIABLES);
        assertThat(seen).doesNotContainAnyElementsOf(hosts).doesNotContain("HOME", "USER", "SHELL", "JAVA_HOME", "CI");
        assertThat(r.get("environ").get("PATH").asText()).isEqualTo("/usr/local/bin:/usr/bin:/bin");
        // bwrap's own (pid 1 in the sandbox): started with an empty environment, it has only the PWD of sh
        assertThat(r.get("reaper").asText().split("\0"))
                .as("bwrap's environment")
                .isSubsetOf("PWD=/", "");
    }

    /**
     * Another environment's Runtime API is a loopback port, visible in the shared network namespace's
     * {@code /proc/net/tcp}. The thief scans it and, on every other environment's port, asks for the
     * next event as that environment's runtime would, and answers any event it gets with a forged
     * response. Only the ports of this server's environments are attacked, so that tests of other
     * servers on this machine are left alone. The victim is idle (frozen, its runtime about to ask for
     * its next event) and is then invoked three times: if Spur served the thief's request, the thief's
     * parked {@code next} would take one of those events, whichever came first.
     *
     * <p>Known bug, so this fails until the Runtime API checks who connects (an environment is known
     * by its port only): today the thief gets the victim's event, secret included, and its forged
     * response is accepted (202) and returned to the victim's caller.
     */
    @Test
    void theKernelsRiskiestCallsAreRefused() {
        String name = deploy("seccomp", """
                def handler(event, context):
                    out = {}
                    for call, nr in [("bpf", 321), ("userfaultfd", 323), ("io_uring_setup", 425), ("getpid", 39)]:
                        ctypes.set_errno(0)
                        out[call] = "ok" if libc.syscall(nr, 0, 0, 0, 0, 0) >= 0 else failed(-1)
                    out["seccomp"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0]
                    return out
                """);
        JsonNode r = ok(spur.invoke(name, Map.of()));
        assertThat(r.get("bpf").asText()).isEqualTo("EPERM");
        assertThat(r.get("userfaultfd").asText()).isEqualTo("EPERM");
        assertThat(r.get("io_uring_setup").asText()).isEqualTo("ENOSYS");
        assertThat(r.get("getpid").asText()).isEqualTo("ok");
        assertThat(r.get("seccomp").asText()).isEqualTo("2"); // a filter is in force
    }

    @Test
    void withSpurNetworkNoneItReachesOnlyItsOwnRuntimeApi() {
        Tools.require("socat", "/usr/bin/socat");
        String name = deploy("offline", """
                import socket

                def reach(host, port):
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        return "allowed"
                    except OSError as e:
                        return errno.errorcode.get(e.errno, type(e).__name__)

                def handler(event, context):
                    return {"spur": reach("127.0.0.1", event["port"]), "internet": reach("1.1.1.1", 53),
                            "runtimeApi": os.environ["AWS_LAMBDA_RUNTIME_API"],
                            "interfaces": sorted(l.split(":")[0].strip()
                                                 for l in open("/proc/net/dev").read().splitlines()[2:])}
                """);
        int port = URI.create(spur.server().endpoint()).getPort();
        JsonNode online = ok(spur.invoke(name, Map.of("port", port)));
        assertThat(online.get("spur").asText()).isEqualTo("allowed"); // the default: the host's network

        Spur.Answer updated =
                spur.spurApi("PUT", "/2015-03-31/functions/" + name + "/configuration", "{\"SpurNetwork\": \"none\"}");
        assertThat(updated.status()).as("%s", updated.body()).isEqualTo(200);
        assertThat(updated.body().get("SpurNetwork").asText()).isEqualTo("none");

        JsonNode offline = ok(spur.invoke(name, Map.of("port", port)));
        assertThat(offline.get("spur").asText()).isEqualTo("ECONNREFUSED"); // its own loopback, not the host's
        assertThat(offline.get("internet").asText()).isEqualTo("ENETUNREACH");
        assertThat(offline.get("runtimeApi").asText()).isEqualTo("127.0.0.1:9001"); // bridged in
        assertThat(offline.get("interfaces")).extracting(JsonNode::asText).containsExactly("lo");

        Spur.Answer bad =
                spur.spurApi("PUT", "/2015-03-31/functions/" + name + "/configuration", "{\"SpurNetwork\": \"host\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().toString()).contains("[default, none]");
    }

    @Test
    void cannotTakeAnotherEnvironmentsEventOrAnswerForIt() throws Exception {
        String victim = spur.deployPython(
                "victim", """
                def handler(event, context):
                    return {"echo": event["secret"], "requestId": context.aws_request_id}
                """, 128, 0, 5); // an event stolen and never answered fails after 5 s, not 20
        String thief = spur.deployPython("thief", resource("runtime-api-thief.py"), 128, 0, 20);
        ok(spur.invoke(victim, Map.of("secret", "warm-up")));
        int victimPort = environmentOf(victim).runtimeApiPort();
        List<Integer> targets = HostView.environments(ProcessHandle.current()).stream()
                .map(HostView.Environment::runtimeApiPort)
                .toList();

        Map<String, JsonNode> answers = new LinkedHashMap<>();
        JsonNode report;
        try (ServerSocket control = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<InvokeResponse> attack = CompletableFuture.supplyAsync(
                    () -> spur.invoke(thief, Map.of("targets", targets, "control", control.getLocalPort())));
            try (Socket thiefReady = accept(control, attack)) {
                var lines =
                        new BufferedReader(new InputStreamReader(thiefReady.getInputStream(), StandardCharsets.UTF_8));
                assertThat(lines.readLine()).isEqualTo("ready");
                for (int i = 0; i < 3; i++) {
                    String secret = "secret-" + i + "-" + UUID.randomUUID();
                    InvokeResponse answer = spur.invoke(victim, Map.of("secret", secret));
                    answers.put(secret, Json.MAPPER.readTree(answer.payload().asByteArray()));
                }
                thiefReady.getOutputStream().write("done\n".getBytes(StandardCharsets.UTF_8));
            }
            report = ok(attack.get(30, TimeUnit.SECONDS));
        }
        assertThat(report.get("visible").toString())
                .as("the listening ports the thief saw")
                .contains(Integer.toString(victimPort));
        List<String> stolen = new ArrayList<>();
        report.get("attempts").properties().forEach(e -> {
            if (e.getValue().has("requestId") || e.getValue().path("status").asInt() == 200) {
                stolen.add("port " + e.getKey()
                        + (e.getKey().equals(Integer.toString(victimPort)) ? " (the victim's)" : "") + ": "
                        + e.getValue());
            }
        });
        assertThat(stolen)
                .as(
                        "what the thief received from other environments' Runtime APIs (all its attempts: %s; "
                                + "the victim's answers: %s)",
                        report.get("attempts"), answers)
                .isEmpty();
        answers.forEach((secret, answer) -> assertThat(answer.path("echo").asText())
                .as("the victim's answer: %s", answer)
                .isEqualTo(secret));
    }

    /** Accepts the thief's connection, or fails with the thief's answer if it returned without connecting. */
    private static Socket accept(ServerSocket control, CompletableFuture<InvokeResponse> attack) throws Exception {
        control.setSoTimeout(100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                return control.accept();
            } catch (SocketTimeoutException e) {
                if (attack.isDone()) {
                    throw new AssertionError("the thief returned before it was ready: "
                            + attack.get().payload().asUtf8String());
                }
            }
        }
        throw new AssertionError("the thief did not get ready within 20 s");
    }

    private static String resource(String name) throws IOException {
        try (var in = LinuxEscapeTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Where Spur keeps a function's unpacked code on the host: {@code <data>/code/<sha256 hex>}. */
    private static Path codeDirectory(String function) {
        String sha = spur.lambda()
                .getFunction(b -> b.functionName(function))
                .configuration()
                .codeSha256();
        return spur.dataDir()
                .resolve("code")
                .resolve(HexFormat.of().formatHex(Base64.getDecoder().decode(sha)));
    }
}
