package dev.spur.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.runtimeapi.RuntimeApiEndpoint;
import dev.spur.runtimeapi.RuntimeApiHandler;
import dev.spur.sandbox.Sandbox.LaunchSpec;
import dev.spur.sandbox.Sandbox.Network;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network none, tried from inside the sandbox: nothing is reachable but the Runtime API, bridged in
 * from a unix socket the test serves; the default (host) network still reaches the host's loopback.
 */
class LinuxSandboxNetworkTest {
    /** Connects to each {@code name host port} given as arguments and prints what happened. */
    private static final String PROBE = """
            import socket, sys, time
            for name, host, port in zip(sys.argv[1::3], sys.argv[2::3], sys.argv[3::3]):
                started = time.monotonic()
                try:
                    with socket.create_connection((host, int(port)), timeout=5) as s:
                        print(name, 'connected', s.makefile().readline().strip())
                except OSError as e:
                    print(name, 'failed:', e.strerror or e, 'in', round((time.monotonic() - started) * 1000), 'ms')
            print('interfaces', [n for _, n in socket.if_nameindex()])
            """;

    @TempDir
    Path root;

    Jail jail;
    /** The environment's own directory: the sandbox user may search it, nobody may list it. */
    Path environment;

    Path socket;
    LineServer hostLoopback;

    @AfterAll
    static void removeTheTestsParentCgroups() throws Exception {
        Jail.removeParentCgroups();
    }

    @BeforeEach
    void setUp() throws Exception {
        jail = new Jail(root);
        Jail.requireNetworkNone();
        environment = Files.createDirectories(root.resolve("env-1"));
        Files.setPosixFilePermissions(environment, PosixFilePermissions.fromString("rwx--x--x"));
        socket = environment.resolve("runtime-api.sock");
        hostLoopback = new LineServer(new ServerSocket(0, 16, InetAddress.getLoopbackAddress()), "host loopback");
    }

    @AfterEach
    void tearDown() throws Exception {
        hostLoopback.close();
    }

    @Test
    void networkNoneReachesOnlyTheRuntimeApiBridgedIn() throws Exception {
        try (UnixLineServer api = new UnixLineServer(socket, "hello from the runtime api")) {
            Jail.Result r = jail.run(probe(
                    Network.none(socket),
                    "bridge",
                    "127.0.0.1",
                    "9001",
                    "host-loopback",
                    "127.0.0.1",
                    Integer.toString(hostLoopback.port()),
                    "internet",
                    "1.1.1.1",
                    "53"));
            assertThat(r.status().code()).as(r.output()).isZero();
            assertThat(r.output())
                    .contains("bridge connected hello from the runtime api")
                    .contains("host-loopback failed: Connection refused")
                    .containsPattern("internet failed: Network is unreachable in \\d{1,3} ms")
                    .contains("interfaces ['lo']");
            assertThat(api.accepted.get()).isEqualTo(1);
        }
        assertThat(hostLoopback.accepted.get())
                .as("the host's loopback port saw nobody")
                .isZero();
    }

    @Test
    void theDefaultHostNetworkStillReachesTheHostsLoopback() throws Exception {
        Jail.Result r =
                jail.run(probe(Network.HOST, "host-loopback", "127.0.0.1", Integer.toString(hostLoopback.port())));
        assertThat(r.output()).contains("host-loopback connected host loopback");
        assertThat(hostLoopback.accepted.get()).isEqualTo(1);
    }

    @Test
    void aRuntimeServesAnInvocationThroughTheBridge() throws Exception {
        assertThat(RuntimeApiEndpoint.BRIDGED_HOST_PORT).isEqualTo(LinuxSandbox.BRIDGED_RUNTIME_API);
        OneEvent handler = new OneEvent("req-1", "{\"n\":41}");
        try (RuntimeApiEndpoint endpoint = RuntimeApiEndpoint.openUnix(handler, "net-test", socket)) {
            // http.client keeps one connection alive for both calls, as runtime clients do
            LaunchSpec spec = jail.spec(128, "/usr/bin/python3", "-c", """
                    import http.client, json, os
                    host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')
                    c = http.client.HTTPConnection(host, int(port), timeout=10)
                    c.request('GET', '/2018-06-01/runtime/invocation/next')
                    r = c.getresponse()
                    rid, event = r.getheader('Lambda-Runtime-Aws-Request-Id'), json.loads(r.read())
                    c.request('POST', '/2018-06-01/runtime/invocation/' + rid + '/response', json.dumps({'n': event['n'] + 1}))
                    r = c.getresponse()
                    print('posted', r.status, r.read().decode())
                    """);
            spec = new LaunchSpec(
                            spec.command(),
                            spec.workingDirectory(),
                            Map.of("PATH", "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API", endpoint.hostPort()),
                            spec.output(),
                            128,
                            512,
                            spec.mounts())
                    .withNetwork(Network.none(socket));
            Jailed p = jail.start(spec);
            try {
                endpoint.admit(p.hostUid()); // as the pools do: the bridge connects as the environment's uid
                assertThat(p.onExit().get(60, TimeUnit.SECONDS).code())
                        .as(Files.readString(spec.output()))
                        .isZero();
            } finally {
                p.kill();
            }
            assertThat(Files.readString(spec.output())).contains("posted 202 {\"status\":\"OK\"}");
        }
        assertThat(handler.responses).containsExactly("req-1 {\"n\": 42}");
        assertThat(socket).doesNotExist();
    }

    @Test
    void theFunctionSeesOnlyTheSocketUnderRunAndIsNotTheBridgesParent() throws Exception {
        try (UnixLineServer _ = new UnixLineServer(socket, "x")) {
            Jail.Result r =
                    jail.run(jail.spec(128, "/usr/bin/python3", "-c", """
                    import os
                    print('run', os.listdir('/run'), os.listdir('/run/spur'))
                    try:
                        open('/run/spur/other', 'w')
                    except OSError as e:
                        print('write', e.strerror)
                    try:
                        os.wait()
                    except ChildProcessError as e:
                        print('wait', e.strerror)
                    """).withNetwork(Network.none(socket)));
            assertThat(r.output())
                    .contains(
                            "run ['spur'] ['runtime-api.sock']",
                            "write Read-only file system",
                            "wait No child processes");
        }
    }

    @Test
    void aMissingCommandFailsNamingItAsWithoutTheBridge() throws Exception {
        try (UnixLineServer _ = new UnixLineServer(socket, "x")) {
            Jail.Result none =
                    jail.run(jail.spec(128, "/var/task/no-such-bootstrap").withNetwork(Network.none(socket)));
            Jail.Result host = jail.run(jail.spec(128, "/var/task/no-such-bootstrap"));
            // the bridge's sh execs the function (127, sh's words) where bwrap otherwise does (1, bwrap's words)
            assertThat(none.status().code()).as(none.output()).isEqualTo(127);
            assertThat(none.output()).contains("/var/task/no-such-bootstrap: not found");
            assertThat(host.status().code()).as(host.output()).isEqualTo(1);
            assertThat(host.output()).contains("/var/task/no-such-bootstrap: No such file or directory");
        }
    }

    @Test
    void aSocketTheSandboxsUsersCannotReachIsRefusedAtStartSayingWhy() throws Exception {
        Assumptions.assumeTrue(LinuxSandbox.isRoot(), "only root starts the sandbox as another uid");
        try (UnixLineServer _ = new UnixLineServer(socket, "x")) {
            Files.setPosixFilePermissions(environment, PosixFilePermissions.fromString("rwx------"));
            assertThatThrownBy(() -> jail.start(jail.spec(128, "/usr/bin/true").withNetwork(Network.none(socket))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(environment + " is not searchable by other users");
            Files.setPosixFilePermissions(environment, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-r--r--"));
            assertThatThrownBy(() -> jail.start(jail.spec(128, "/usr/bin/true").withNetwork(Network.none(socket))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(socket + " is not writable by other users");
        }
        assertThatThrownBy(() -> jail.start(jail.spec(128, "/usr/bin/true").withNetwork(Network.none(socket))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socket + " does not exist");
    }

    @Test
    void theProcessSandboxRefusesNetworkNone() throws Exception {
        assertThatThrownBy(() ->
                        Sandbox.process().start(jail.spec(128, "/usr/bin/true").withNetwork(Network.none(socket))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("network none");
    }

    private LaunchSpec probe(Network network, String... targets) throws IOException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", PROBE));
        command.addAll(List.of(targets));
        return jail.spec(128, command.toArray(String[]::new)).withNetwork(network);
    }

    /** Answers every TCP connection with one line. */
    static final class LineServer implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();

        LineServer(ServerSocket server, String line) {
            this.server = server;
            Thread.ofVirtual().start(() -> {
                while (true) {
                    try (Socket s = server.accept();
                            OutputStream out = s.getOutputStream()) {
                        accepted.incrementAndGet();
                        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Answers every connection to a unix socket with one line; the socket is writable by the sandbox user. */
    static final class UnixLineServer implements AutoCloseable {
        final Path path;
        final ServerSocketChannel server;
        final AtomicInteger accepted = new AtomicInteger();

        UnixLineServer(Path path, String line) throws IOException {
            this.path = path;
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
            Thread.ofVirtual().start(() -> {
                while (true) {
                    try (SocketChannel s = server.accept()) {
                        accepted.incrementAndGet();
                        s.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(path);
        }
    }

    /** An environment with one event to give; records the responses. */
    static final class OneEvent implements RuntimeApiHandler {
        final LinkedBlockingQueue<NextEvent> events = new LinkedBlockingQueue<>();
        final List<String> responses = Collections.synchronizedList(new ArrayList<>());

        OneEvent(String requestId, String payload) {
            events.add(new NextEvent(
                    requestId,
                    System.currentTimeMillis() + 30_000,
                    "arn:aws:lambda:us-east-1:000000000000:function:f",
                    null,
                    null,
                    null,
                    payload.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public NextEvent awaitNext() throws InterruptedException {
            return events.poll(30, TimeUnit.SECONDS);
        }

        @Override
        public Answer response(String requestId, byte[] body) {
            responses.add(requestId + " " + new String(body, StandardCharsets.UTF_8));
            return Answer.ACCEPTED;
        }

        @Override
        public Answer error(String requestId, String errorType, byte[] body) {
            return Answer.ACCEPTED;
        }

        @Override
        public Answer initError(String errorType, byte[] body) {
            return Answer.ACCEPTED;
        }

        @Override
        public void responseTooLarge(String requestId, long declaredBytes) {}
    }
}
