package dev.spur.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceHeaderTest {
    private static final String ROOT = "1-5759e988-bd862e3fe1be46a994272793";

    @Test
    void aWellFormedCallerHeaderKeepsItsRootAndSampledAndGetsANewParent() {
        String header = TraceHeader.forInvocation(Optional.of("Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1"));
        assertThat(TraceHeader.root(header)).isEqualTo(ROOT);
        assertThat(TraceHeader.sampled(header)).isTrue();
        assertThat(TraceHeader.parent(header)).matches("[0-9a-f]{16}").isNotEqualTo("53995c3f42cd8ad8");
        assertThat(TraceHeader.traceId(header)).isEqualTo("5759e988bd862e3fe1be46a994272793");
    }

    @Test
    void aMissingOrMalformedHeaderIsReplacedByANewUnsampledOne() {
        for (Optional<String> sent : List.<Optional<String>>of(
                Optional.empty(),
                Optional.of("Root=1-xyz"),
                Optional.of("Root=2-5759e988-bd862e3fe1be46a994272793"),
                Optional.of("Root=1-5759E988-BD862E3FE1BE46A994272793"),
                Optional.of("Parent=53995c3f42cd8ad8"),
                Optional.of("Root=" + ROOT + ";" + "x".repeat(600)))) {
            String header = TraceHeader.forInvocation(sent);
            assertThat(header)
                    .as("for %s", sent)
                    .matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
            assertThat(TraceHeader.root(header)).isNotEqualTo(ROOT);
        }
    }

    @Test
    void fieldsAreFoundInAnyOrderWithSpaces() {
        String header = "Sampled=1; Parent=0123456789abcdef ;Root=" + ROOT;
        assertThat(TraceHeader.root(header)).isEqualTo(ROOT);
        assertThat(TraceHeader.parent(header)).isEqualTo("0123456789abcdef");
        assertThat(TraceHeader.sampled(header)).isTrue();
    }
}
