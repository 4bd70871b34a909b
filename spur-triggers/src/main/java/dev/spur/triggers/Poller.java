package dev.spur.triggers;

/** What runs an enabled mapping: its SQS pollers or its Kafka consumer, started and stopped by {@link EventSourceMappings}. */
interface Poller extends AutoCloseable {
    Poller start();

    /** Stops delivering; what a batch in flight does then is each poller's to say. */
    @Override
    void close();
}
