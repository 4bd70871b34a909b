package dev.spur.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer comparison's load script, run by the real wrk against a small server that answers in turn a
 * success, a 429, a function error (200 with X-Amz-Function-Error) and a 502: what wrk reports must be what
 * the server sent, so no failure of a system under test can pass as a success.
 */
class WrkScriptTest {
    @TempDir
    Path dir;

    @Test
    void scriptSendsTheSameRequestAndCountsEveryFailureByKind() throws Exception {
        requireWrk();
        AtomicLong sent = new AtomicLong();
        AtomicLong badRequests = new AtomicLong();
        AtomicLong[] answered = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!exchange.getRequestMethod().equals("POST")
                    || !new String(body, StandardCharsets.UTF_8).equals("{}")
                    || !"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                badRequests.incrementAndGet();
            }
            int kind = (int) (sent.getAndIncrement() % 4);
            int status = switch (kind) {
                case 1 -> 429;
                case 2 -> {
                    exchange.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
                    yield 200;
                }
                case 3 -> 502;
                default -> 200;
            };
            answered[kind].incrementAndGet(); // before wrk can see it
            byte[] answer = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        Wrk.Result r;
        try {
            r = Wrk.in(dir)
                    .run(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x"), 2, 1);
        } finally {
            server.stop(0);
            threads.shutdownNow();
        }

        assertThat(badRequests.get()).isZero();
        assertThat(r.requests()).isPositive();
        // wrk drops answers still in flight when its time is up: at most one per connection.
        long successes = r.requests() - r.non2xx() - r.functionErrors();
        assertThat(successes).isBetween(answered[0].get() - 2, answered[0].get());
        assertThat(r.non2xxByStatus().keySet()).containsExactly(429, 502);
        assertThat(r.non2xxByStatus().get(429)).isBetween(answered[1].get() - 2, answered[1].get());
        assertThat(r.non2xxByStatus().get(502)).isBetween(answered[3].get() - 2, answered[3].get());
        assertThat(r.non2xx())
                .isEqualTo(r.non2xxByStatus().get(429) + r.non2xxByStatus().get(502));
        assertThat(r.functionErrors()).isBetween(answered[2].get() - 2, answered[2].get());
        assertThat(r.socketErrors() + r.timeouts()).isZero();
        assertThat(r.p50Millis()).isPositive().isLessThanOrEqualTo(r.p90Millis());
        assertThat(r.p90Millis()).isLessThanOrEqualTo(r.p99Millis());
    }

    @Test
    void outputWithoutTheResultLineIsAnErrorThatShowsIt() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Connection refused");
    }

    /** wrk is a benchmark tool, not a build tool: skipped where it is missing, except under CI=true. */
    private static void requireWrk() {
        boolean present = Files.isExecutable(Path.of(Wrk.BINARY));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(Wrk.BINARY + " is missing (apt-get install wrk); CI must run this test");
        }
        assumeTrue(present, Wrk.BINARY + " is missing (apt-get install wrk)");
    }
}
