package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code spur bucket} against a real server. */
@SpurTest
class BucketCommandsTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @Test
    void createListAndRemoveABucket() {
        String name = Spur.uniqueName("clib").toLowerCase(Locale.ROOT).replace('_', '-');
        Cli.Result created = spur.spur("bucket create", name);
        assertThat(created.exit()).as(created.err()).isZero();
        List<String> rows = spur.spur("bucket ls").out().lines().toList();
        assertThat(rows.getFirst()).matches("NAME +CREATED");
        assertThat(rows).anyMatch(r -> r.startsWith(name + " "));
        assertThat(spur.spur("bucket ls", name).out().lines().toList()).containsExactly("KEY  SIZE  MODIFIED");

        Cli.Result again = spur.spur("bucket create", name);
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err()).contains("BucketAlreadyOwnedByYou");
        assertThat(spur.spur("bucket rm", name).exit()).isZero();
        assertThat(spur.spur("bucket ls").out()).doesNotContain(name);
        assertThat(spur.spur("bucket rm", name).err()).contains("NoSuchBucket");
    }
}
