package dev.spur.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker for the tests of Kafka event-source mappings: {@code $SPUR_TEST_KAFKA_BOOTSTRAP}
 * when set (a broker someone else runs), else one started here, once per test JVM and shared by every test
 * in it.
 *
 * <p>The broker started here is Kafka itself (the {@code kafka_2.13} jars, which a module's tests put on
 * their class path, test scope only), in KRaft mode as one combined broker and controller: a child JVM on
 * the running test's JDK and class path, first {@code kafka.tools.StorageTool format} of a temporary log
 * directory with a fresh cluster id, then {@code kafka.Kafka} on two free loopback ports (clients and the
 * controller quorum). It is handed out once its client port accepts connections (clients retry until the
 * broker's metadata is ready); a shutdown hook kills it and deletes its files.
 *
 * <p>A broker that cannot start (no Kafka jars on the class path, a start that fails or takes more than
 * 60 s): the test is skipped with the reason, or fails under {@code CI=true} ({@link Tools#unavailable}).
 * Topics are the tests' business (each test makes its own with AdminClient, a unique name).
 */
public final class TestKafka {
    private static final String MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL = "kafka.tools.StorageTool";
    private static final long START_TIMEOUT_MS = 60_000;

    private static String bootstrap;
    private static String failure;
    private static long startMillis = -1;
    private static long pid = -1;

    private TestKafka() {}

    /** {@code host:port} of a running broker; skips (or, with CI=true, fails) the test when there is none. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null && failure == null) {
            String given = System.getenv("SPUR_TEST_KAFKA_BOOTSTRAP");
            if (given != null && !given.isBlank()) {
                bootstrap = given.strip();
            } else {
                try {
                    bootstrap = start();
                } catch (RuntimeException e) {
                    failure = e.getMessage();
                }
            }
        }
        if (failure != null) {
            throw Tools.unavailable(
                    "No Kafka broker for the Kafka mapping tests: " + failure
                            + ". Set SPUR_TEST_KAFKA_BOOTSTRAP=host:port, or put org.apache.kafka:kafka_2.13 on the test class path");
        }
        return bootstrap;
    }

    /** How long the broker started here took to answer (ms), or -1 when it was given or not started. */
    public static synchronized long startMillis() {
        return startMillis;
    }

    /** The pid of the broker started here, or -1. */
    public static synchronized long pid() {
        return pid;
    }

    private static String start() {
        try {
            Class.forName(MAIN, false, TestKafka.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("kafka.Kafka is not on the class path", e);
        }
        long began = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("spur-kafka-");
            int port = freePort();
            int controller = freePort();
            Path config = dir.resolve("server.properties");
            Files.writeString(config, properties(dir.resolve("logs"), port, controller));
            Path log = dir.resolve("broker.log");
            run(List.of(STORAGE_TOOL, "format", "-t", clusterId(), "-c", config.toString()), log, true);
            Process broker = run(List.of(MAIN, config.toString()), log, false);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.destroyForcibly();
                try {
                    broker.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Directories.deleteTree(dir);
            }));
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (!accepts(port)) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException(
                            "the broker exited (" + broker.exitValue() + "); its log: " + tail(log));
                }
                if (System.currentTimeMillis() > deadline) {
                    broker.destroyForcibly();
                    throw new IllegalStateException("the broker did not listen within 60 s; its log: " + tail(log));
                }
                Thread.sleep(50);
            }
            startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            pid = broker.pid();
            return "127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a test Kafka broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a test Kafka broker", e);
        }
    }

    /** A single combined broker and controller, no replication, groups that start at once. */
    private static String properties(Path logs, int port, int controller) {
        return String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                "auto.create.topics.enable=false",
                "log.flush.interval.messages=9223372036854775807",
                "");
    }

    private static Process run(List<String> arguments, Path log, boolean wait)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xms64m",
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path")));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (wait) {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", arguments));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "failed (" + process.exitValue() + "): " + String.join(" ", arguments) + ": " + tail(log));
            }
        }
        return process;
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
    private static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
