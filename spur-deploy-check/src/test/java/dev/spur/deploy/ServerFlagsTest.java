package dev.spur.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The flags the manifests lean on refuse what they cannot mean, before anything starts. */
class ServerFlagsTest {
    @ParameterizedTest
    @ValueSource(strings = {"65533-20000", "0-100", "20000", "x-y", "20000-"})
    void aSandboxUidRangeThatIsNotFirstDashLastIsAUsageError(String range) {
        StringWriter err = new StringWriter();

        int exit = Main.run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err),
                "server",
                "--port=0",
                "--sandbox-uids=" + range);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--sandbox-uids must be FIRST-LAST with 0 < FIRST <= LAST, not " + range);
    }
}
