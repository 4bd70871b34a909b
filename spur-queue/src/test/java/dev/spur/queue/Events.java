package dev.spur.queue;

import dev.spur.common.FunctionKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Test events. */
final class Events {
    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    private Events() {}

    static FunctionKey function(String name) {
        return new FunctionKey(ACCOUNT, REGION, name);
    }

    static QueuedEvent event(String id) {
        return event(id, T0);
    }

    static QueuedEvent event(String id, Instant visibleAt) {
        return new QueuedEvent(id, function("hello"), "", payload(id), T0, 0, visibleAt, "invoke");
    }

    static byte[] payload(String id) {
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
