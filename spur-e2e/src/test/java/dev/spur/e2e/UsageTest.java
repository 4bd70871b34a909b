package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.testing.Await;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Usage agrees with the REPORT lines to the millisecond: real invocations of a real runtime (a cold start
 * whose init is billed, warm ones, an error), then the sum of every REPORT line's Billed Duration and
 * Billed Duration × Memory Size is compared with what {@code GET /spur/v1/usage} answers.
 */
@SpurTest
class UsageTest {
    static final Pattern REPORT = Pattern.compile(
            "REPORT RequestId: \\S+\\tDuration: [0-9.]+ ms\\tBilled Duration: (\\d+) ms\\tMemory Size: (\\d+) MB"
                    + "\\tMax Memory Used: \\d+ MB(\\tInit Duration: [0-9.]+ ms)?");
    static final String APP = """
            import time

            def handler(event, context):
                time.sleep(event.get("sleep", 0))
                if event.get("fail"):
                    raise ValueError("asked to fail")
                return {"ok": True}
            """;

    static Spur spur;

    @Test
    void usageEqualsTheSumOfTheReportLines() throws Exception {
        String name = spur.deployPython("billed", APP, 192, 1024, 10);
        for (int i = 0; i < 6; i++) {
            spur.invoke(name, Map.of("sleep", i / 100.0));
        }
        InvokeResponse failed =
                spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"fail\": true}")));
        assertThat(failed.functionError()).isEqualTo("Unhandled");

        long billedMs = 0;
        long billedMbMs = 0;
        int reports = 0;
        int coldStarts = 0;
        Matcher m = REPORT.matcher(log(name));
        while (m.find()) {
            reports++;
            billedMs += Long.parseLong(m.group(1));
            billedMbMs += Long.parseLong(m.group(1)) * Long.parseLong(m.group(2));
            coldStarts += m.group(3) != null ? 1 : 0;
        }
        assertThat(reports).isEqualTo(7);
        assertThat(coldStarts).isEqualTo(1);

        Spur.Answer usage = spur.spurApi("GET", "/spur/v1/usage?by=function&since=1h&function=" + name, null);

        assertThat(usage.status()).as(String.valueOf(usage.body())).isEqualTo(200);
        JsonNode row = usage.body().get("Rows").get(0);
        assertThat(row.get("Function").asText()).isEqualTo(name);
        assertThat(row.get("Requests").asLong()).isEqualTo(7);
        assertThat(row.get("Errors").asLong()).isEqualTo(1);
        assertThat(row.get("ColdStarts").asLong()).isEqualTo(1);
        assertThat(row.get("BilledDurationMs").asLong()).isEqualTo(billedMs);
        assertThat(row.get("BilledMbMs").asLong()).isEqualTo(billedMbMs);
        assertThat(row.get("InitBilledDurationMs").asLong()).isPositive();
        assertThat(row.get("GBSeconds").asDouble()).isEqualTo(billedMbMs / 1024.0 / 1000.0);
        assertThat(row.get("EphemeralStorageGBSeconds").asDouble())
                .as("512 MB above the free 512 MB, for the billed duration")
                .isEqualTo(billedMs * 512 / 1024.0 / 1000.0);
        assertThat(row.get("EstimatedCost").get("Total").asDouble())
                .isCloseTo(
                        7 * 0.20 / 1_000_000
                                + billedMbMs / 1024.0 / 1000.0 * 0.0000166667
                                + billedMs * 512 / 1024.0 / 1000.0 * 0.0000000309,
                        within(1e-12));
    }

    @Test
    void throttledInvocationsAreCountedAndBillNothing() {
        String name = spur.deployPython("throttled", APP, 128, 0, 10);
        spur.lambda().putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(0));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> spur.invoke(name, Map.of())).isInstanceOf(TooManyRequestsException.class);
        }

        JsonNode row = spur.spurApi("GET", "/spur/v1/usage?since=1h&function=" + name, null)
                .body()
                .get("Rows")
                .get(0);
        assertThat(row.get("Throttles").asLong()).isEqualTo(2);
        assertThat(row.get("Requests").asLong()).isZero();
        assertThat(row.get("BilledDurationMs").asLong()).isZero();
        JsonNode series = spur.spurApi("GET", "/spur/v1/series?minutes=2&function=" + name, null)
                .body();
        assertThat(series.get("Throttles").get(0).asInt()
                        + series.get("Throttles").get(1).asInt())
                .isEqualTo(2);
    }

    @Test
    void provisionedConcurrencyIsBilledForTheTimeKeptAndItsInvocationsAtTheirOwnPrice() {
        String name = spur.deployPython("provisioned", APP, 256, 0, 10);
        spur.lambda().publishVersion(b -> b.functionName(name));
        spur.lambda()
                .putProvisionedConcurrencyConfig(
                        b -> b.functionName(name).qualifier("1").provisionedConcurrentExecutions(1));
        Await.await(
                "provisioned concurrency READY",
                Duration.ofSeconds(60),
                () -> spur.lambda()
                        .getProvisionedConcurrencyConfig(
                                b -> b.functionName(name).qualifier("1"))
                        .statusAsString(),
                "READY"::equals);
        spur.spurApi("GET", "/spur/v1/usage?since=1h&function=" + name, null); // a sample: kept from now on
        InvokeResponse r =
                spur.lambda().invoke(b -> b.functionName(name).qualifier("1").payload(SdkBytes.fromUtf8String("{}")));
        assertThat(r.functionError()).isNull();

        JsonNode row = spur.spurApi("GET", "/spur/v1/usage?by=version&since=1h&function=" + name, null)
                .body()
                .get("Rows")
                .get(0);
        assertThat(row.get("Version").asText()).isEqualTo("1");
        assertThat(row.get("Requests").asLong()).isEqualTo(1);
        assertThat(row.get("ProvisionedRequests").asLong()).isEqualTo(1);
        assertThat(row.get("ColdStarts").asLong())
                .as("served by the provisioned environment")
                .isZero();
        assertThat(row.get("ProvisionedDurationGBSeconds").asDouble())
                .isEqualTo(row.get("GBSeconds").asDouble())
                .isPositive();
        assertThat(row.get("ProvisionedConcurrencyGBSeconds").asDouble()).isPositive();
        assertThat(row.get("EstimatedCost").get("Duration").asDouble())
                .as("no on-demand duration")
                .isZero();
        spur.lambda()
                .deleteProvisionedConcurrencyConfig(b -> b.functionName(name).qualifier("1"));
    }

    /** The function's whole log, as {@code spur logs} reads it. */
    private static String log(String name) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(
                    HttpRequest.newBuilder(URI.create(spur.endpoint() + "/spur/v1/functions/" + name + "/logs?from=0"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            return res.body();
        }
    }
}
