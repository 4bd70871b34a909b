package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WireErrors}: the one mapping of an exception to Lambda's error answer. Each path of the server
 * below throws one kind of error.
 */
class WireErrorsTest {
    static BareJetty jetty;

    @BeforeAll
    static void start() {
        Map<String, Throwable> errors = Map.of(
                "/not-found", LambdaException.notFound("Function not found: %s", "f"),
                "/reserved",
                        LambdaException.throttled(
                                "ReservedFunctionConcurrentInvocationLimitExceeded", 0, "Rate Exceeded."),
                "/account", LambdaException.throttled("ConcurrentInvocationLimitExceeded", 7, "Rate Exceeded."),
                "/unexpected", new IOException("disk /secret/path failed"),
                "/internal", LambdaException.internal("store failed", new IllegalStateException("detail")),
                "/conflict", LambdaException.of(ErrorCode.RESOURCE_CONFLICT, "Function already exist: %s", "f"));
        jetty = BareJetty.serve(x -> WireErrors.send(x, "req-1", errors.get(x.path())));
    }

    @AfterAll
    static void stop() {
        jetty.close();
    }

    @Test
    void aLambdaExceptionIsItsStatusTypeAndMessage() {
        BareJetty.Answer r = jetty.get("/not-found");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("x-amzn-ErrorType")).containsExactly("ResourceNotFoundException");
        assertThat(r.header("x-amzn-RequestId")).containsExactly("req-1");
        assertThat(r.header("Content-Type")).containsExactly("application/json");
        assertThat(r.header("Retry-After")).isEmpty();
        assertThat(r.body()).isEqualTo("{\"Type\":\"User\",\"message\":\"Function not found: f\"}");
        assertThat(jetty.get("/conflict").status()).isEqualTo(409);
    }

    @Test
    void aThrottleCarriesItsReasonAndRetryAfterOfAtLeastOneSecond() {
        BareJetty.Answer reserved = jetty.get("/reserved");
        BareJetty.Answer account = jetty.get("/account");

        assertThat(reserved.status()).isEqualTo(429);
        assertThat(reserved.header("x-amzn-ErrorType")).containsExactly("TooManyRequestsException");
        assertThat(reserved.header("Retry-After")).containsExactly("1");
        assertThat(reserved.body())
                .isEqualTo("{\"Type\":\"User\",\"message\":\"Rate Exceeded.\","
                        + "\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"}");
        assertThat(account.header("Retry-After")).containsExactly("7");
        assertThat(account.body()).contains("\"Reason\":\"ConcurrentInvocationLimitExceeded\"");
    }

    @Test
    void anUnexpectedExceptionIsAGeneric500ThatKeepsItsDetailInTheServerLog() {
        BareJetty.Answer r = jetty.get("/unexpected");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("x-amzn-ErrorType")).containsExactly("ServiceException");
        assertThat(r.body())
                .isEqualTo("{\"Type\":\"Service\",\"message\":\"An internal error occurred; see the Spur server log"
                        + " for request req-1.\"}");
    }

    @Test
    void anInternalLambdaExceptionIsAServiceError() {
        BareJetty.Answer r = jetty.get("/internal");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("x-amzn-ErrorType")).containsExactly("ServiceException");
        assertThat(r.body()).isEqualTo("{\"Type\":\"Service\",\"message\":\"store failed\"}");
    }
}
