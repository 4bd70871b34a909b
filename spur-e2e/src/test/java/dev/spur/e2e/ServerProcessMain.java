package dev.spur.e2e;

import dev.spur.invoke.AsyncPolicy;
import dev.spur.sandbox.LinuxSandbox;
import dev.spur.sandbox.Sandbox;
import dev.spur.server.Fleet;
import dev.spur.server.SpurServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A Spur server in a JVM of its own, so that a test can kill it with SIGKILL: {@link ServerProcess}
 * launches it with the test's class path. Arguments: the data directory, the number of
 * asynchronous dispatchers, and optionally {@code linux:<cgroup name>} for the linux sandbox with that
 * parent cgroup (else plain processes), {@code database=<PostgreSQL URL>} for a fleet's shared database and
 * {@code node=<name>} for the node's name in that fleet. Prints {@code SPUR-PORT <port>} once it accepts requests; stops (cleanly)
 * when its standard input closes, so it never outlives the test JVM that started it.
 */
public final class ServerProcessMain {
    static final String PORT_LINE = "SPUR-PORT ";

    private ServerProcessMain() {}

    public static void main(String[] args) throws IOException {
        Path dataDir = Path.of(args[0]);
        int dispatchers = Integer.parseInt(args[1]);
        Sandbox sandbox = Sandbox.process();
        Optional<String> database = Optional.empty();
        Fleet fleet = Fleet.NONE;
        for (int i = 2; i < args.length; i++) {
            if (args[i].startsWith("linux:")) {
                sandbox = Sandbox.linux(
                        LinuxSandbox.Settings.defaults().withCgroupName(args[i].substring("linux:".length())));
            } else if (args[i].startsWith("database=")) {
                database = Optional.of(args[i].substring("database=".length()));
            } else if (args[i].startsWith("node=")) {
                fleet = fleet.withNodeName(args[i].substring("node=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        SpurServer server = SpurServer.start(SpurServer.Options.defaults(dataDir)
                .withPort(0)
                .withSandbox(sandbox)
                .withDatabase(database)
                .withFleet(fleet)
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
