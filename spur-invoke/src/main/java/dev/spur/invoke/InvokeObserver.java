package dev.spur.invoke;

import dev.spur.common.FunctionKey;
import dev.spur.pools.Deployment;
import dev.spur.pools.InvocationOutcome;
import dev.spur.pools.Lease;

/**
 * What the invoke path tells metrics and traces, at the points where things happen: an invocation
 * admitted, throttled or finished; an asynchronous event received, retried, given up or dead-lettered.
 *
 * <p><b>Cost.</b> {@link #probe} is called once per invoke and must be a lookup of something resolved
 * before (per executed version and alias), with no string building and no lock; the probe's calls
 * must be a few atomic adds. {@link #NONE} costs nothing. Implementations must not throw.
 */
public interface InvokeObserver {
    /** Observes nothing. */
    InvokeObserver NONE = new InvokeObserver() {
        @Override
        public Probe probe(Deployment deployment, String alias) {
            return Probe.NONE;
        }

        @Override
        public AsyncProbe async(FunctionKey function) {
            return AsyncProbe.NONE;
        }
    };

    /**
     * The meters of one executed version, invoked directly ({@code alias} empty) or through an alias.
     * Called on every invoke, after resolution.
     */
    Probe probe(Deployment deployment, String alias);

    /** The meters of one function's asynchronous events. */
    AsyncProbe async(FunctionKey function);

    /** The calls one invocation makes, in order: {@link #admitted}, then {@link #finished}; or {@link #throttled}. */
    interface Probe {
        Probe NONE = new Probe() {
            @Override
            public void admitted(Lease lease) {}

            @Override
            public void finished(Lease lease, InvocationOutcome outcome) {}

            @Override
            public void throttled(String reason) {}

            @Override
            public void asyncReceived() {}
        };

        /** An environment was acquired for the invocation (after a cold start, if there was one). */
        void admitted(Lease lease);

        /** The invocation ended, well or not; {@code lease} is the one {@link #admitted} saw. */
        void finished(Lease lease, InvocationOutcome outcome);

        /** Admission refused the invocation (429) with Lambda's {@code Reason}. */
        void throttled(String reason);

        /** An asynchronous invocation of this version was accepted (202). */
        void asyncReceived();
    }

    /** What happens to one function's queued events. */
    interface AsyncProbe {
        AsyncProbe NONE = new AsyncProbe() {
            @Override
            public void taken(long ageMillis) {}

            @Override
            public void retried() {}

            @Override
            public void dropped(String reason, boolean deadLettered) {}

            @Override
            public void destinationFailed() {}
        };

        /** An event was taken to run, {@code ageMillis} after it was accepted. */
        void taken(long ageMillis);

        /** An attempt failed (function error or throttle) and the event goes back to the queue. */
        void retried();

        /**
         * The event was given up ({@code EventAgeExceeded}, {@code RetriesExhausted}, …): to the
         * {@code OnFailure} destination, or to the dead-letter store when {@code deadLettered}.
         */
        void dropped(String reason, boolean deadLettered);

        /** A record could not be delivered to a destination. */
        void destinationFailed();
    }
}
