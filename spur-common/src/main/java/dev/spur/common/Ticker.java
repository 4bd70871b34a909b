package dev.spur.common;

/**
 * A monotonic nanosecond time source. Production code uses {@link #system()}; tests of keep-alive
 * and timeouts pass a fake they advance by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
