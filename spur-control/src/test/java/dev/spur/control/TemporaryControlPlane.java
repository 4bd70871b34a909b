package dev.spur.control;

import dev.spur.common.Caller;
import dev.spur.common.FunctionConfig;
import dev.spur.common.Ticker;
import dev.spur.control.FunctionCommand.CreateFunction;
import dev.spur.control.FunctionCommand.Unsupported;
import dev.spur.logs.LogStore;
import dev.spur.pools.PoolSettings;
import dev.spur.pools.Pools;
import dev.spur.runtimes.Runtimes;
import dev.spur.sandbox.Sandbox;
import dev.spur.store.CodeStore;
import dev.spur.store.MetadataStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A control plane on a temporary data directory, as the server wires it: a real SQLite metadata store,
 * a real code store, real pools running plain processes. The clock is fixed. {@link #restart} opens
 * a new control plane on the same files, as a server restart does.
 *
 * <p>A test class registers one for all its tests:
 * {@code @RegisterExtension static final TemporaryControlPlane control = TemporaryControlPlane.perClass(1000);}
 * — it opens before the class's first test on a directory of its own and is closed and deleted after
 * the last.
 */
final class TemporaryControlPlane implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    static final Caller CALLER = new Caller("000000000000", "us-east-1");
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final int accountConcurrency;
    private Path dir;
    private MetadataStore store;
    private CodeStore code;
    private Pools pools;
    ControlPlane control;

    private TemporaryControlPlane(int accountConcurrency) {
        this.accountConcurrency = accountConcurrency;
    }

    /** A control plane per test class whose account may run {@code accountConcurrency} invocations at once. */
    static TemporaryControlPlane perClass(int accountConcurrency) {
        return new TemporaryControlPlane(accountConcurrency);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("spur-control-test-");
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
        delete(dir);
    }

    private void open() {
        store = MetadataStore.sqlite(dir.resolve("spur.db"));
        code = CodeStore.open(dir.resolve("code"));
        pools = new Pools(
                PoolSettings.defaults().withAccountConcurrency(accountConcurrency),
                Sandbox.process(),
                LogStore.open(dir.resolve("logs")),
                dir.resolve("run"),
                Ticker.system(),
                InstantSource.fixed(NOW),
                false);
        control = new ControlPlane(store, code, SharedRuntimes.INSTANCE, pools, InstantSource.fixed(NOW));
    }

    /** Closes everything and opens a new control plane on the same store and code. */
    void restart() {
        close();
        open();
    }

    Pools pools() {
        return pools;
    }

    /** The runtimes every control plane of this test JVM shares. */
    static Runtimes runtimes() {
        return SharedRuntimes.INSTANCE;
    }

    ControlResult handle(FunctionCommand command) {
        return control.handle(command);
    }

    FunctionConfig configuration(String name) {
        return ((ControlResult.Configuration)
                        handle(new FunctionCommand.GetFunctionConfiguration(CALLER, name, Optional.empty())))
                .config();
    }

    /** Code packages in the code store (their unpacked directories are not counted). */
    long storedPackages() {
        try (Stream<Path> files = Files.list(dir.resolve("code"))) {
            return files.filter(p -> p.toString().endsWith(".zip")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pools.close();
        store.close();
    }

    /** A create command for a {@code provided.al2023} function with every optional field absent. */
    static Create create(String name) {
        return new Create(name);
    }

    /** A zip whose {@code bootstrap} prints {@code text}: different texts, different packages. */
    static byte[] zip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("bootstrap"));
            zip.write(("#!/bin/sh\necho " + text + "\n").getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Builds {@link CreateFunction}, which has sixteen fields. */
    static final class Create {
        private final String name;
        private Optional<String> description = Optional.empty();
        private Optional<Integer> memory = Optional.empty();
        private Optional<Integer> timeout = Optional.empty();
        private Optional<String> role = Optional.of("arn:aws:iam::000000000000:role/test");
        private Optional<String> runtime = Optional.of("provided.al2023");
        private Optional<Map<String, String>> environment = Optional.empty();
        private Map<String, String> tags = Map.of();
        private List<String> unsupported = List.of();
        private boolean publish;

        private Create(String name) {
            this.name = name;
        }

        Create description(String d) {
            description = Optional.of(d);
            return this;
        }

        Create memory(int mb) {
            memory = Optional.of(mb);
            return this;
        }

        Create timeout(int seconds) {
            timeout = Optional.of(seconds);
            return this;
        }

        Create role(String r) {
            role = Optional.of(r);
            return this;
        }

        Create runtime(String r) {
            runtime = Optional.of(r);
            return this;
        }

        Create environment(Map<String, String> variables) {
            environment = Optional.of(variables);
            return this;
        }

        Create tags(Map<String, String> t) {
            tags = t;
            return this;
        }

        Create unsupported(String... names) {
            unsupported = List.of(names);
            return this;
        }

        Create publish() {
            publish = true;
            return this;
        }

        CreateFunction command() {
            return new CreateFunction(
                    CALLER,
                    name,
                    runtime,
                    Optional.empty(),
                    role,
                    description,
                    memory,
                    timeout,
                    environment,
                    Optional.of(zip(name)),
                    new Unsupported(unsupported),
                    Optional.empty(),
                    Optional.empty(),
                    tags,
                    publish,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    FunctionCommand.OptionsChange.NONE);
        }
    }

    /**
     * The runtimes, installed once per test JVM in a directory of their own: installing starts the Java
     * client's AOT training in the background, which must not race a test's directory clean-up.
     */
    private static final class SharedRuntimes {
        static final Runtimes INSTANCE;

        static {
            try {
                Path dir = Files.createTempDirectory("spur-control-test-runtimes-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                INSTANCE = Runtimes.install(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
