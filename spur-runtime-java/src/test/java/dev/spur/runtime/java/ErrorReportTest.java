package dev.spur.runtime.java;

import static dev.spur.runtime.java.TestInvocations.text;
import static org.assertj.core.api.Assertions.assertThat;

import fixtures.Thrower;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorReportTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(ErrorReport report) {
        return (Map<String, Object>) Json.parse(text(report.toJson()));
    }

    @Test
    void throwableIsReportedWithItsClassNameMessageFramesAndCause() {
        Throwable error = Thrower.failWithCause();
        Map<String, Object> json = json(ErrorReport.of(error));
        assertThat(json)
                .containsEntry("errorType", "java.lang.IllegalStateException")
                .containsEntry("errorMessage", "outer \"quoted\"\n");
        assertThat((List<?>) json.get("stackTrace"))
                .first()
                .asString()
                .startsWith("fixtures.Thrower.failWithCause(Thrower.java:");
        Map<?, ?> cause = (Map<?, ?>) json.get("cause");
        assertThat(cause.get("errorType")).isEqualTo("java.io.IOException");
        assertThat(cause.get("errorMessage")).isEqualTo("inner");
        assertThat(cause.containsKey("cause")).isFalse();
    }

    @Test
    void throwableWithoutMessageIsDescribedByItsClass() {
        assertThat(json(ErrorReport.of(new NullPointerException())))
                .containsEntry("errorMessage", "java.lang.NullPointerException");
    }

    @Test
    void framesOfTheRuntimeAndTheReflectionThatCalledUserCodeAreCut() throws Throwable {
        Throwable thrown = null;
        try {
            HandlerLoader.load("fixtures.Methods::fails", ErrorReportTest.class.getClassLoader())
                    .handle(TestInvocations.bytes("{}"), TestInvocations.context());
        } catch (IllegalStateException e) {
            thrown = e;
        }
        List<?> frames = (List<?>) json(ErrorReport.of(thrown)).get("stackTrace");
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).toString()).startsWith("fixtures.Methods.fails(Methods.java:");
    }

    @Test
    void causeCycleEndsTheChain() {
        IOException a = new IOException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        Map<?, ?> cause = (Map<?, ?>) json(ErrorReport.of(b)).get("cause");
        assertThat(cause.get("errorMessage")).isEqualTo("a");
        assertThat(cause.containsKey("cause")).isFalse();
    }

    @Test
    void runtimeDescribedFailureHasAnEmptyTrace() {
        assertThat(json(ErrorReport.of("Runtime.MalformedHandlerName", "Invalid handler: `'", null)))
                .isEqualTo(Map.of(
                        "errorType",
                        "Runtime.MalformedHandlerName",
                        "errorMessage",
                        "Invalid handler: `'",
                        "stackTrace",
                        List.of()));
    }

    @Test
    void logTextStartsWithMessageAndTypeAsAwsPrintsIt() {
        assertThat(ErrorReport.of(new IllegalArgumentException("bad")).toLogText())
                .startsWith("bad: java.lang.IllegalArgumentException\njava.lang.IllegalArgumentException: bad");
    }
}
