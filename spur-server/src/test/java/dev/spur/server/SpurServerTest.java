package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.server.SpurServer.Options;
import dev.spur.store.MetadataStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SpurServer} itself: what start creates on a fresh data directory, that close lets go of the port
 * and the files, what start cleans up from a previous run, and how it refuses a data directory it cannot
 * use — before creating anything.
 */
class SpurServerTest {
    Path scratch;

    @BeforeEach
    void scratch() {
        scratch = RunningSpur.scratch();
    }

    @AfterEach
    void delete() {
        RunningSpur.delete(scratch);
    }

    @Test
    void aFreshDataDirectoryIsCreatedWithItsStoresAndASealingKeyOnlyItsOwnerReads() throws IOException {
        Path data = scratch.resolve("a/b/data");

        try (SpurServer server = SpurServer.start(options(data))) {
            assertThat(RawHttp.get(server.port(), "/spur/v1/health").status()).isEqualTo(200);
            assertThat(data.resolve("spur.db")).isRegularFile();
            assertThat(data.resolve("queue.db")).isRegularFile();
            assertThat(data.resolve("code")).isDirectory();
            assertThat(data.resolve("logs")).isDirectory();
            assertThat(data.resolve("run")).isDirectory();
            assertThat(server.runtimes()).contains("provided.al2023");
            assertThat(server.isolation()).isEqualTo("process");
            assertThat(server.endpoint()).isEqualTo("http://127.0.0.1:" + server.port());
        }
        assertThat(data.resolve("master.key")).isRegularFile();
        assertThat(Files.size(data.resolve("master.key"))).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("master.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void closeLetsGoOfThePortAndTheNextStartKeepsFunctionsButEmptiesRunAndRemovesUnusedCode() throws IOException {
        Path data = scratch.resolve("data");
        int port;
        try (SpurServer first = SpurServer.start(options(data))) {
            port = first.port();
            Functions.create(port, "uses-its-code");
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
        Path run = data.resolve("run");
        Files.writeString(run.resolve("env-1.out"), "output of an environment of the last run");
        Files.createDirectories(run.resolve("env-2"));
        Files.writeString(run.resolve("env-2/runtime.sock"), "");
        String unused = "ab".repeat(32);
        Files.write(data.resolve("code").resolve(unused + ".zip"), Functions.zip());
        Files.createDirectories(data.resolve("code").resolve(unused));
        Files.writeString(data.resolve("code").resolve(unused).resolve("bootstrap"), "");

        try (SpurServer second = SpurServer.start(options(data))) {
            assertThat(run).isEmptyDirectory();
            assertThat(data.resolve("code").resolve(unused + ".zip")).doesNotExist();
            assertThat(data.resolve("code").resolve(unused)).doesNotExist();
            RawHttp.Response kept = RawHttp.get(second.port(), "/2015-03-31/functions/uses-its-code");
            assertThat(kept.status()).isEqualTo(200);
            String sha256 = HexFormat.of()
                    .formatHex(Base64.getDecoder()
                            .decode(kept.json()
                                    .get("Configuration")
                                    .get("CodeSha256")
                                    .asText()));
            assertThat(zips(data)).isEqualTo(1);
            assertThat(data.resolve("code").resolve(sha256 + ".zip")).isRegularFile();
            assertThat(data.resolve("code").resolve(sha256)).isDirectory();
        }
    }

    @Test
    void aDataDirectoryThatIsAFileIsRefusedAndLeftAsItWas() throws IOException {
        Path file = scratch.resolve("data");
        Files.writeString(file, "not a directory");

        assertThatThrownBy(() -> SpurServer.start(options(file)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot create data directory " + file);
        assertThat(file).hasContent("not a directory");
        try (Stream<Path> created = Files.list(scratch)) {
            assertThat(created.toList()).containsExactly(file);
        }
    }

    @Test
    void aDataDirectoryBelowAFileIsRefused() throws IOException {
        Files.writeString(scratch.resolve("file"), "");
        Path data = scratch.resolve("file/data");

        assertThatThrownBy(() -> SpurServer.start(options(data)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot create data directory " + data);
    }

    @Test
    void aDatabaseFromANewerSpurIsRefusedAndTheDirectoryStaysUsable() throws SQLException, IOException {
        Path data = scratch.resolve("data");
        Files.createDirectories(data);
        MetadataStore.sqlite(data.resolve("spur.db")).close();
        sql(data.resolve("spur.db"), "INSERT INTO schema_version VALUES (999, 'from the future', 0)");

        assertThatThrownBy(() -> SpurServer.start(options(data)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 999")
                .hasMessageContaining("written by a newer Spur");
        assertThat(data.resolve("queue.db"))
                .as("refused before anything else is created")
                .doesNotExist();
        assertThat(data.resolve("code")).doesNotExist();

        sql(data.resolve("spur.db"), "DELETE FROM schema_version WHERE version = 999");
        try (SpurServer server = SpurServer.start(options(data))) {
            assertThat(RawHttp.get(server.port(), "/spur/v1/health").status()).isEqualTo(200);
        }
    }

    @Test
    void withSigV4AnUnsignedRequestIsRefusedInLambdasShape() {
        try (SpurServer server =
                SpurServer.start(options(scratch.resolve("data")).withAuth(SpurServer.Auth.SIGV4))) {
            RawHttp.Response r = RawHttp.get(server.port(), "/2015-03-31/functions");

            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");
            assertThat(server.tryCommand()).startsWith("spur keys create --account 123456789012 --data-dir ");
        }
    }

    private static Options options(Path data) {
        return Options.defaults(data).withPort(0);
    }

    private static long zips(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("code"))) {
            return files.filter(p -> p.toString().endsWith(".zip")).count();
        }
    }

    private static void sql(Path db, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
