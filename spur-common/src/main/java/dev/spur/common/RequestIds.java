package dev.spur.common;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Request IDs in Lambda's form (a random UUID), without {@code SecureRandom}'s lock on the hot path. */
public final class RequestIds {
    private RequestIds() {}

    public static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
