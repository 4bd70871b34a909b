package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.Ticker;
import dev.spur.pools.InvocationOutcome.Kind;
import dev.spur.runtimeapi.RuntimeApiHandler.Answer;
import dev.spur.runtimeapi.StreamedBody;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Lambda's limits on a streamed response, with a fake clock and a recorded pause instead of real time:
 * the first 6 MB unthrottled then 2 MB/s, the 200 MB cut, trailers, and no write after the cut.
 */
class ResponseRelayTest {
    private static final int MB = 1024 * 1024;

    /** A runtime's streamed body: {@code total} bytes in 64 KB pieces, then the given trailers. */
    static StreamedBody body(long total, Map<String, String> trailers) {
        return new StreamedBody() {
            long left = total;

            @Override
            public Optional<String> contentType() {
                return Optional.of("text/plain");
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(length, 64 * 1024), left);
                left -= n;
                return n;
            }

            @Override
            public Optional<String> trailer(String name) {
                return left == 0 ? Optional.ofNullable(trailers.get(name)) : Optional.empty();
            }
        };
    }

    /** Counts what reaches the caller. */
    static final class Counting implements ResponseSink {
        final List<String> began = new ArrayList<>();
        long bytes;

        @Override
        public void begin(Optional<String> contentType) {
            began.add(contentType.orElse("-"));
        }

        @Override
        public void write(byte[] b, int offset, int length) {
            bytes += length;
        }
    }

    static Invocation invocation(ResponseRelay relay) {
        return new Invocation("req", new byte[0], null, null, "arn", null, Long.MAX_VALUE, relay);
    }

    @Test
    void theFirstSixMegabytesAreUnthrottledThenTwoMegabytesPerSecond() throws IOException {
        Counting sink = new Counting();
        AtomicLong paused = new AtomicLong();
        ResponseRelay relay = new ResponseRelay(sink, paused::addAndGet);
        Invocation inv = invocation(relay);
        Ticker frozen = () -> 0L; // no time passes while relaying: every throttled byte must be paused for

        assertThat(relay.pump(inv, body(6L * MB, Map.of()), frozen)).isEqualTo(Answer.ACCEPTED);
        assertThat(paused.get()).isZero();

        Counting more = new Counting();
        AtomicLong longest = new AtomicLong();
        ResponseRelay throttled = new ResponseRelay(more, nanos -> longest.accumulateAndGet(nanos, Math::max));
        assertThat(throttled.pump(invocation(throttled), body(10L * MB, Map.of()), frozen))
                .isEqualTo(Answer.ACCEPTED);
        // 4 MB past the first 6 at 2 MB/s: the last byte is due 2 s after throttling began
        assertThat(more.bytes).isEqualTo(10L * MB);
        assertThat(longest.get()).isEqualTo(2_000_000_000L);
    }

    @Test
    void pastTwoHundredMegabytesTheInvocationFailsAndTheRestIsNotRead() throws IOException {
        Counting sink = new Counting();
        ResponseRelay relay = new ResponseRelay(sink, nanos -> {});
        Invocation inv = invocation(relay);
        AtomicLong clock = new AtomicLong();
        Ticker ticker = () -> clock.addAndGet(1_000_000_000L); // time flies: no pause is ever due

        assertThat(relay.pump(inv, body(ResponseRelay.MAX_BYTES + 10L * MB, Map.of()), ticker))
                .isEqualTo(Answer.RESPONSE_TOO_LARGE);
        assertThat(sink.bytes).isLessThanOrEqualTo(ResponseRelay.MAX_BYTES);
        assertThat(inv.result().kind()).isEqualTo(Kind.RESPONSE_TOO_LARGE);
        assertThat(inv.result().errorType()).isEqualTo("Function.ResponseSizeTooLarge");
    }

    @Test
    void trailersMakeAFunctionErrorAfterTheBytesWentOut() throws IOException {
        Counting sink = new Counting();
        ResponseRelay relay = new ResponseRelay(sink, nanos -> {});
        Invocation inv = invocation(relay);
        String error = "{\"errorType\":\"TypeError\",\"errorMessage\":\"late\"}";
        relay.pump(
                inv,
                body(
                        100,
                        Map.of(
                                StreamedBody.ERROR_TYPE_TRAILER,
                                "TypeError",
                                StreamedBody.ERROR_BODY_TRAILER,
                                Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.UTF_8)))),
                () -> 0L);
        assertThat(sink.began).containsExactly("text/plain");
        assertThat(sink.bytes).isEqualTo(100);
        assertThat(inv.result().kind()).isEqualTo(Kind.FUNCTION_ERROR);
        assertThat(new String(inv.result().payload(), StandardCharsets.UTF_8)).isEqualTo(error);
    }

    @Test
    void afterTheCutNothingReachesTheCallerAndTheRuntimeIsRefused() throws IOException {
        Counting sink = new Counting();
        ResponseRelay relay = new ResponseRelay(sink, nanos -> {});
        Invocation inv = invocation(relay);
        relay.close(); // the deadline passed before the runtime began streaming
        assertThat(relay.pump(inv, body(1000, Map.of()), () -> 0L)).isEqualTo(Answer.INVALID_STATE_TRANSITION);
        assertThat(sink.began).isEmpty();
        assertThat(sink.bytes).isZero();
    }
}
