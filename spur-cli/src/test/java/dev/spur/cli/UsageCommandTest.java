package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spur usage}: the caller's functions with their requests and estimated bill. */
@SpurTest
class UsageCommandTest {
    static Spur server;
    static final Cli spur = new Cli(() -> server);

    @TempDir
    Path work;

    @Test
    void usageByFunctionCountsTheInvocationsAndPricesThem() throws Exception {
        String name = Spur.uniqueName("metered");
        assertThat(spur.deploy(FunctionPackage.echo("e").writeTo(work.resolve("fn")), name)
                        .exit())
                .isZero();
        assertThat(spur.spur("invoke", name).exit()).isZero();
        assertThat(spur.spur("invoke", name).exit()).isZero();

        Cli.Result usage = spur.spur("usage", "--by", "function", "--since", "1h");

        assertThat(usage.exit()).as(usage.err()).isZero();
        String line = usage.out()
                .lines()
                .filter(l -> l.startsWith(name + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(usage.out()));
        String[] columns = line.trim().split("\\s+");
        assertThat(columns[1]).as("requests").isEqualTo("2");
        assertThat(columns[2]).as("errors").isEqualTo("0");
        assertThat(Long.parseLong(columns[3])).as("billed ms").isGreaterThanOrEqualTo(2);
        assertThat(usage.out()).contains("FUNCTION").contains("COST USD").contains("total");

        Cli.Result byDay = spur.spur("usage", "--by", "day", "--function", name, "--json");
        assertThat(byDay.out()).contains("\"Requests\": 2").contains("\"Day\"");

        Cli.Result bad = spur.spur("usage", "--since", "yesterday");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("since must be an ISO instant");
    }
}
