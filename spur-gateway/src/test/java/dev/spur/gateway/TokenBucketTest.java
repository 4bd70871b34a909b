package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.spur.testing.FakeClock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Throttling with a fake clock: burst, steady rate, Retry-After. */
class TokenBucketTest {
    private final FakeClock ticker = FakeClock.at("2026-01-01T00:00:00Z");

    @Test
    void fullBucketAdmitsTheBurstThenRefuses() {
        TokenBucket bucket = new TokenBucket(10, 5, ticker);

        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryAcquire()).as("request %d", i).isTrue();
        }
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void tokensComeBackAtTheRate() {
        TokenBucket bucket = new TokenBucket(10, 2, ticker);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        ticker.advanceMillis(99);
        assertThat(bucket.tryAcquire()).isFalse();
        ticker.advanceMillis(1);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        ticker.advanceMillis(10_000);
        assertThat(bucket.retryAfterSeconds()).isZero();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire())
                .as("an idle bucket refills only up to burst")
                .isFalse();
    }

    @Test
    void steadyRateIsHeldOverALongRun() {
        TokenBucket bucket = new TokenBucket(50, 10, ticker);
        int admitted = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            for (int i = 0; i < 3; i++) {
                admitted += bucket.tryAcquire() ? 1 : 0;
            }
            ticker.advanceMillis(1);
        }
        assertThat(admitted).isBetween(500, 510);
    }

    @Test
    void slowRateGivesALongRetryAfter() {
        TokenBucket bucket = new TokenBucket(0.1, 1, ticker);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.retryAfterSeconds()).isEqualTo(10);
        ticker.advanceMillis(2_500);
        assertThat(bucket.retryAfterSeconds()).isEqualTo(8);
    }

    @Test
    void concurrentCallersNeverGetMoreThanTheBurst() throws InterruptedException {
        TokenBucket bucket = new TokenBucket(1, 1000, ticker);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1000; i++) {
                        if (bucket.tryAcquire()) {
                            admitted.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(admitted.get()).isEqualTo(1000);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(0, 1, ticker));
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(Double.NaN, 1, ticker));
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(1, 0, ticker));
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(1e-9, Integer.MAX_VALUE, ticker));
    }
}
