package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.ClusterKey;
import dev.spur.auth.Credential;
import dev.spur.server.SpurServer.Options;
import dev.spur.store.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one PostgreSQL database, as two nodes of a fleet: what one node changes reaches the
 * other's registries through the change feed, and an access key made on one works on the other (one
 * cluster key seals them, kept in the database or given to both; a node given another is refused).
 */
class SharedStateTest {
    Path scratch;
    String database;

    @BeforeEach
    void scratch() {
        scratch = RunningSpur.scratch();
        database = TestPostgres.freshDatabase();
    }

    @AfterEach
    void delete() {
        RunningSpur.delete(scratch);
    }

    @Test
    void anUpdateOnOneNodeReachesTheOthersRegistryThroughTheFeed() throws Exception {
        try (SpurServer a = SpurServer.start(options("a"));
                SpurServer b = SpurServer.start(options("b"))) {
            Functions.create(a.port(), "shared");
            assertThat(RawHttp.get(b.port(), "/2015-03-31/functions/shared/configuration")
                            .text())
                    .contains("\"Description\":\"\"");

            RawHttp.Response updated = RawHttp.call(
                    a.port(),
                    "PUT",
                    "/2015-03-31/functions/shared/configuration",
                    Map.of("Content-Type", "application/json"),
                    "{\"Description\":\"changed on a\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);

            long deadline = System.nanoTime() + 5_000_000_000L;
            String seen;
            do {
                seen = RawHttp.get(b.port(), "/2015-03-31/functions/shared/configuration")
                        .text();
                Thread.sleep(20);
            } while (!seen.contains("changed on a") && System.nanoTime() < deadline);
            assertThat(seen).contains("\"Description\":\"changed on a\"");
        }
    }

    @Test
    void anAccessKeyMadeOnOneNodeOpensOnTheOtherWhateverKeepsTheClusterKey() {
        try (SpurServer a = SpurServer.start(options("a"));
                SpurServer b = SpurServer.start(options("b"))) {
            Credential made = a.keys().create("123456789012");
            assertThat(b.keys().find(made.accessKeyId())).contains(made);
        }
    }

    @Test
    void aNodeGivenAnotherClusterKeyThanTheFleetsIsRefused() {
        ClusterKey key = ClusterKey.random();
        try (SpurServer a = SpurServer.start(options("a", key));
                SpurServer b = SpurServer.start(options("b", ClusterKey.parse(key.encoded())))) {
            Credential made = a.keys().create("123456789012");
            assertThat(b.keys().find(made.accessKeyId())).contains(made);
        }
        assertThatThrownBy(() -> SpurServer.start(options("c", ClusterKey.random())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("$SPUR_CLUSTER_KEY");
        assertThatThrownBy(() -> SpurServer.start(options("d")))
                .as("a node given none joining nodes given one")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give this node the same key");
    }

    /** A node of its own name (two nodes of one name are refused) on the shared database. */
    private Options options(String node) {
        return Options.defaults(scratch.resolve(node))
                .withPort(0)
                .withDatabase(Optional.of(database))
                .withFleet(Fleet.NONE.withNodeName(node));
    }

    private Options options(String node, ClusterKey key) {
        Options o = options(node);
        return o.withFleet(o.fleet().withClusterKey(Optional.of(key)));
    }
}
