package dev.spur.e2e;

import dev.spur.invoke.AsyncPolicy;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Spur server in a JVM of its own, so that a test can kill it with SIGKILL: {@link ServerProcess}
 * launches it with the test's class path. Arguments: the data directory, the number of
 * asynchronous dispatchers, and optionally {@code linux:<cgroup name>} for the linux sandbox with that
 * parent cgroup (else plain processes). Prints {@code SPUR-PORT <port>} once it accepts requests; stops (cleanly)
 * when its standard input closes, so it never outlives the test JVM that started it.
 */
public final class ServerProcessMain {
    static final String PORT_LINE = "SPUR-PORT ";

    private ServerProcessMain() {}

    public static void main(String[] args) throws IOException {
        Path dataDir = Path.of(args[0]);
        int dispatchers = Integer.parseInt(args[1]);
        Sandbox sandbox = args.length > 2 && args[2].startsWith("linux:")
                ? Sandbox.linux(LinuxSandbox.Settings.defaults().withCgroupName(args[2].substring("linux:".length())))
                : Sandbox.process();
        SpurServer server = SpurServer.start(SpurServer.Options.defaults(dataDir)
                .withPort(0)
                .withSandbox(sandbox)
                .withAsync(AsyncPolicy.quick(Duration.ofMillis(200)).withDispatchers(dispatchers)));
        System.out.println(PORT_LINE + server.port());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to go away
        }
        server.close();
        System.exit(0);
    }
}
