package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.store.UsageStore.UsageRow;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both usage stores: rows add up per key, reads filter by account, function and hours. */
class UsageStoreTest {
    @TempDir
    Path dir;

    static UsageRow row(String account, String function, long hour, long requests, long billedMs) {
        return new UsageRow(
                account,
                "us-east-1",
                function,
                "$LATEST",
                hour,
                requests,
                1,
                2,
                3,
                4,
                billedMs,
                5,
                billedMs * 128,
                6,
                7,
                8,
                9);
    }

    @Test
    void sqliteAddsUpRowsAndSurvivesAReopen() {
        try (UsageStore store = UsageStore.sqlite(dir.resolve("usage.db"))) {
            addsUp(store);
        }
        try (UsageStore reopened = UsageStore.sqlite(dir.resolve("usage.db"))) {
            assertThat(reopened.rows(Optional.empty(), Optional.empty(), 0, Long.MAX_VALUE))
                    .hasSize(3);
        }
    }

    @Test
    void postgresAddsUpRowsFromManyNodes() {
        String url = TestPostgres.freshDatabase();
        try (Database a = Database.postgres(url);
                Database b = Database.postgres(url)) {
            addsUp(UsageStore.postgres(a));
            UsageStore.postgres(b).add(List.of(row("111111111111", "f", 3600, 1, 1)));
            assertThat(UsageStore.postgres(a)
                            .rows(Optional.of("111111111111"), Optional.of("f"), 3600, 7200)
                            .getFirst()
                            .requests())
                    .isEqualTo(2 + 3 + 1);
        }
    }

    private static void addsUp(UsageStore store) {
        store.add(List.of(row("111111111111", "f", 3600, 2, 10), row("111111111111", "g", 3600, 1, 1)));
        store.add(List.of(row("111111111111", "f", 3600, 3, 5), row("222222222222", "f", 7200, 1, 1)));
        store.add(List.of());

        List<UsageRow> all = store.rows(Optional.empty(), Optional.empty(), 0, Long.MAX_VALUE);
        assertThat(all).extracting(UsageRow::function).containsExactly("f", "g", "f");
        UsageRow f = all.getFirst();
        assertThat(f.requests()).isEqualTo(5);
        assertThat(f.billedMs()).isEqualTo(15);
        assertThat(f.billedMbMs()).isEqualTo(15 * 128);
        assertThat(f.errors()).isEqualTo(2);
        assertThat(f.ephemeralMbMs()).isEqualTo(18);
        assertThat(store.rows(Optional.of("111111111111"), Optional.empty(), 0, Long.MAX_VALUE))
                .hasSize(2);
        assertThat(store.rows(Optional.empty(), Optional.of("f"), 7200, 10800))
                .singleElement()
                .extracting(UsageRow::account)
                .isEqualTo("222222222222");
    }
}
