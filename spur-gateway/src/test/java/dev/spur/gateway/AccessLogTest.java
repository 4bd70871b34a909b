package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Access-log lines named after API Gateway's $context variables. */
class AccessLogTest {

    @Test
    void invokedRequestHasEveryFieldAsAString() throws IOException {
        String line = AccessLog.line(new AccessLog.Entry(
                "req-1",
                "203.0.113.7",
                Instant.ofEpochMilli(1583349317135L),
                "GET",
                "GET /pets/{id}",
                "/pets/7",
                200,
                "HTTP/1.1",
                42,
                17,
                12,
                200,
                ""));

        assertThat(line).doesNotContain("\n");
        JsonNode json = Json.MAPPER.readTree(line);
        assertThat(Events.fieldNames(json))
                .containsExactly(
                        "requestId",
                        "ip",
                        "requestTime",
                        "httpMethod",
                        "routeKey",
                        "path",
                        "status",
                        "protocol",
                        "responseLength",
                        "responseLatency",
                        "integrationLatency",
                        "integrationStatus",
                        "integrationErrorMessage");
        assertThat(json.get("requestTime").asText()).isEqualTo("04/Mar/2020:19:15:17 +0000");
        assertThat(json.get("routeKey").asText()).isEqualTo("GET /pets/{id}");
        assertThat(json.get("status").asText()).isEqualTo("200");
        assertThat(json.get("responseLength").asText()).isEqualTo("42");
        assertThat(json.get("responseLatency").asText()).isEqualTo("17");
        assertThat(json.get("integrationLatency").asText()).isEqualTo("12");
        assertThat(json.get("integrationErrorMessage").asText()).isEqualTo("-");
    }

    @Test
    void requestThatNeverReachedTheIntegrationHasDashes() throws IOException {
        JsonNode json = Json.MAPPER.readTree(AccessLog.line(new AccessLog.Entry(
                "req-2", "::1", Instant.EPOCH, "POST", "", "/nowhere", 404, "HTTP/1.1", 23, 1, -1, -1, "")));

        assertThat(json.get("routeKey").asText()).isEqualTo("-");
        assertThat(json.get("integrationLatency").asText()).isEqualTo("-");
        assertThat(json.get("integrationStatus").asText()).isEqualTo("-");
    }

    @Test
    void integrationErrorIsEscapedIntoOneLine() throws IOException {
        String line = AccessLog.line(new AccessLog.Entry(
                "r",
                "1.2.3.4",
                Instant.EPOCH,
                "GET",
                "$default",
                "/",
                502,
                "HTTP/1.1",
                36,
                5,
                4,
                502,
                "The response from the Lambda function doesn't match the format\n\"x\""));

        assertThat(line).doesNotContain("\n");
        assertThat(Json.MAPPER.readTree(line).get("integrationErrorMessage").asText())
                .endsWith("format\n\"x\"");
    }
}
