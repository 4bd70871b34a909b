package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** Scale-out under concurrent load, and scale to zero after the keep-alive. */
@SpurTest(keepAlive = "PT2S", shared = false)
class ConcurrencyTest {
    /** As {@code @SpurTest(keepAlive)} says. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

    static Spur spur;

    /** Invokes {@code n} times at once; returns the distinct environments (log streams) that served them. */
    private static Set<String> burst(String name, int n, String payload) throws Exception {
        Set<String> streams = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<InvokeResponse>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() ->
                        spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)))));
            }
            for (Future<InvokeResponse> f : futures) {
                InvokeResponse r = f.get();
                assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
                JsonNode out = Json.MAPPER.readTree(r.payload().asByteArray());
                streams.add(out.get("stream").asText());
            }
        }
        return streams;
    }

    @Test
    void fiftyParallelInvocationsRunSideBySideAndScaleBackToZero() throws Exception {
        String name = spur.deploy("wide", FunctionPackage.testRuntime(), b -> b.timeout(30));
        Set<String> cold = burst(name, 50, "{\"sleep\":0.2}");
        assertThat(cold).hasSizeLessThanOrEqualTo(50);
        // An environment started for a caller that an environment set free served first comes up after the
        // burst: wait until every started environment is idle, then the warm burst must start none.
        Await.await(
                "every environment the cold burst started is up and idle",
                Duration.ofSeconds(30),
                () -> spur.server().pools().stats().idleEnvironments()
                        == spur.server().pools().stats().liveEnvironments());
        long started = spur.server().pools().stats().environmentsStarted();
        int live = spur.server().pools().liveEnvironments(new FunctionKey("000000000000", "us-east-1", name));
        assertThat(live).isGreaterThanOrEqualTo(cold.size());

        long start = System.nanoTime();
        Set<String> warm = burst(name, 50, "{\"sleep\":0.2}");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(warm).hasSizeLessThanOrEqualTo(live);
        assertThat(spur.server().pools().stats().environmentsStarted())
                .as("the warm burst started no environment")
                .isEqualTo(started);
        // 50 × 200 ms run one after another would take 10 s; side by side they take about one duration.
        assertThat(elapsedMillis).as("50 warm invocations of a 200 ms function").isLessThan(2_000);
        assertThat(spur.server().pools().liveEnvironments(new FunctionKey("000000000000", "us-east-1", name)))
                .isEqualTo(live);

        Await.await(
                "scaling to zero after the keep-alive",
                KEEP_ALIVE.multipliedBy(5),
                () -> spur.server().pools().stats().liveEnvironments() == 0);
        assertThat(spur.server().pools().stats().memoryUsedMb()).isZero();
    }
}
