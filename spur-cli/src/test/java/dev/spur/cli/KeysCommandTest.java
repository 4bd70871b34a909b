package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.server.SpurServer;
import dev.spur.store.MetadataStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spur keys}: keys are created on the data directory, shown once, listed without secrets, deleted. */
class KeysCommandTest {
    @TempDir
    Path data;

    @Test
    void createListAndDeleteAKeyWithoutEverStoringTheSecretReadably() throws Exception {
        Cli.Result created = Cli.run("keys", "create", "--account", "111122223333", "--data-dir", data.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        String id = line(created.out(), "AWS_ACCESS_KEY_ID=");
        String secret = line(created.out(), "AWS_SECRET_ACCESS_KEY=");
        assertThat(id).matches("AKSP[A-Z2-7]{16}");
        assertThat(secret).hasSize(40);

        try (MetadataStore store = MetadataStore.sqlite(data.resolve("spur.db"))) {
            var keys = SpurServer.keys(store, data);
            assertThat(keys.find(id)).hasValueSatisfying(c -> {
                assertThat(c.secretKey()).isEqualTo(secret);
                assertThat(c.account()).isEqualTo("111122223333");
            });
        }
        assertThat(new String(Files.readAllBytes(data.resolve("spur.db")))).doesNotContain(secret);

        Cli.Result listed = Cli.run("keys", "ls", "--data-dir", data.toString());
        assertThat(listed.out()).contains(id).contains("111122223333").doesNotContain(secret);

        assertThat(Cli.run("keys", "rm", id, "--data-dir", data.toString()).exit())
                .isZero();
        assertThat(Cli.run("keys", "rm", id, "--data-dir", data.toString()).exit())
                .isEqualTo(3);
        assertThat(Cli.run("keys", "ls", "--data-dir", data.toString()).out()).doesNotContain(id);
    }

    @Test
    void anAccountThatIsNotTwelveDigitsIsAUsageError() {
        Cli.Result result = Cli.run("keys", "create", "--account", "alice", "--data-dir", data.toString());
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("12 digits");
    }

    private static String line(String out, String prefix) {
        return out.lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow()
                .substring(prefix.length());
    }
}
