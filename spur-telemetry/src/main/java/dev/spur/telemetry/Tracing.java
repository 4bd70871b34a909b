package dev.spur.telemetry;

import dev.spur.common.TraceHeader;
import dev.spur.invoke.InvocationTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The optional OpenTelemetry export: a span per invocation, with children for the queue wait (an
 * asynchronous event), admission, the cold start (sandbox launch, runtime init) and the run, sent by
 * the OpenTelemetry SDK's batch processor and OTLP/HTTP (protobuf) exporter to
 * {@code <endpoint>/v1/traces}.
 *
 * <p><b>Ids.</b> The invocation's X-Ray header names its trace: the root's 32 hex digits are the
 * trace id and its {@code Parent} (the one the runtime received) the invocation span's id, so spans a
 * function exports under {@code _X_AMZN_TRACE_ID} hang below Spur's. When the caller sent a
 * {@code Parent}, the invocation span is its child. The SDK's {@link IdGenerator} is asked for these
 * ids while the invocation span is started on the recording thread ({@link #nextIds}); every other
 * span gets random ids.
 *
 * <p><b>Failure semantics.</b> Export is best effort: the batch processor queues at most 2048 spans
 * and drops beyond; an unreachable collector loses spans and never slows an invocation. Every
 * invocation is exported, whatever the header's {@code Sampled} flag says.
 */
public final class Tracing implements InvocationTracer, AutoCloseable {
    private static final AttributeKey<String> INVOCATION_ID = AttributeKey.stringKey("faas.invocation_id");
    private static final AttributeKey<String> NAME = AttributeKey.stringKey("faas.invoked_name");
    private static final AttributeKey<String> REGION = AttributeKey.stringKey("faas.invoked_region");
    private static final AttributeKey<String> ACCOUNT = AttributeKey.stringKey("cloud.account.id");
    private static final AttributeKey<String> VERSION = AttributeKey.stringKey("faas.version");
    private static final AttributeKey<Boolean> COLD_START = AttributeKey.booleanKey("faas.coldstart");
    private static final AttributeKey<String> ALIAS = AttributeKey.stringKey("spur.alias");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("spur.outcome");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> TRACE_HEADER = AttributeKey.stringKey("aws.xray.trace_header");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final NextIds ids = new NextIds();

    private Tracing(URI endpoint, String node) {
        String base = endpoint.toString().replaceAll("/+$", "");
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(base + "/v1/traces")
                .setTimeout(Duration.ofSeconds(10))
                .build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(Attributes.of(
                                AttributeKey.stringKey("service.name"),
                                "spur",
                                AttributeKey.stringKey("service.instance.id"),
                                node))))
                .setSampler(Sampler.alwaysOn())
                .setIdGenerator(ids)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setScheduleDelay(Duration.ofMillis(500))
                        .build())
                .build();
        this.tracer = provider.get("dev.spur.invoke");
    }

    /** Exports to the OTLP/HTTP collector at {@code endpoint} (e.g. {@code http://localhost:4318}). */
    public static Tracing otlp(URI endpoint, String node) {
        return new Tracing(endpoint, node);
    }

    @Override
    public void record(Invocation inv) {
        String traceId = TraceHeader.traceId(inv.traceHeader());
        String spanId = TraceHeader.parent(inv.traceHeader());
        String callerParent = inv.callerHeader().map(TraceHeader::parent).orElse(null);
        Context parent = Context.root();
        if (traceId != null && callerParent != null) {
            parent = parent.with(Span.wrap(SpanContext.createFromRemoteParent(
                    traceId, callerParent, TraceFlags.getSampled(), TraceState.getDefault())));
        }
        Instant start = inv.queuedAt().filter(q -> q.isBefore(inv.received())).orElse(inv.received());
        boolean cold = inv.initNanos() >= 0;
        Span invocation;
        ids.next(traceId, spanId);
        try {
            invocation = tracer.spanBuilder("invoke " + inv.function().name())
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER)
                    .setStartTimestamp(nanos(start), TimeUnit.NANOSECONDS)
                    .setAttribute(INVOCATION_ID, inv.requestId())
                    .setAttribute(NAME, inv.function().name())
                    .setAttribute(REGION, inv.function().region())
                    .setAttribute(ACCOUNT, inv.function().account())
                    .setAttribute(VERSION, inv.version())
                    .setAttribute(ALIAS, inv.alias())
                    .setAttribute(COLD_START, cold)
                    .setAttribute(OUTCOME, inv.outcome())
                    .setAttribute(TRACE_HEADER, inv.traceHeader())
                    .startSpan();
        } finally {
            ids.clear();
        }
        Context inside = parent.with(invocation);
        inv.queuedAt()
                .filter(q -> q.isBefore(inv.received()))
                .ifPresent(q -> child(inside, "queue wait", nanos(q), nanos(inv.received())));
        long received = nanos(inv.received());
        long ended = nanos(inv.ended());
        long admitted = inv.admitted() == null ? ended : nanos(inv.admitted());
        Span admission = tracer.spanBuilder("admission")
                .setParent(inside)
                .setStartTimestamp(received, TimeUnit.NANOSECONDS)
                .startSpan();
        if (cold) {
            long coldStart = Math.max(received, admitted - inv.initNanos());
            Context inAdmission = inside.with(admission);
            Span coldSpan = tracer.spanBuilder("cold start")
                    .setParent(inAdmission)
                    .setStartTimestamp(coldStart, TimeUnit.NANOSECONDS)
                    .startSpan();
            Context inCold = inAdmission.with(coldSpan);
            long launched = Math.min(admitted, coldStart + inv.sandboxLaunchNanos());
            child(inCold, "sandbox", coldStart, launched);
            child(inCold, "runtime init", launched, admitted);
            coldSpan.end(admitted, TimeUnit.NANOSECONDS);
        }
        if (inv.admitted() == null) {
            admission.setStatus(StatusCode.ERROR, "Throttled");
        }
        admission.end(admitted, TimeUnit.NANOSECONDS);
        if (inv.admitted() != null) {
            child(inside, "run", Math.max(admitted, ended - inv.runNanos()), ended);
        }
        if (!"Success".equals(inv.outcome())) {
            if (inv.errorType() != null) {
                invocation.setAttribute(ERROR_TYPE, inv.errorType());
            }
            invocation.setStatus(StatusCode.ERROR, inv.outcome());
        }
        invocation.end(ended, TimeUnit.NANOSECONDS);
    }

    private void child(Context parent, String name, long startNanos, long endNanos) {
        tracer.spanBuilder(name)
                .setParent(parent)
                .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
                .startSpan()
                .end(Math.max(startNanos, endNanos), TimeUnit.NANOSECONDS);
    }

    private static long nanos(Instant t) {
        return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
    }

    /** Sends what is queued and waits for it (tests), at most {@code timeout}. */
    public void flush(Duration timeout) {
        provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    /**
     * Random ids, except while an invocation span starts on this thread: then the trace id and span
     * id its X-Ray header names.
     */
    private static final class NextIds implements IdGenerator {
        private final ThreadLocal<String[]> next = new ThreadLocal<>();
        private final IdGenerator random = IdGenerator.random();

        void next(String traceId, String spanId) {
            next.set(new String[] {traceId, spanId});
        }

        void clear() {
            next.remove();
        }

        @Override
        public String generateSpanId() {
            String[] n = next.get();
            return n != null && n[1] != null ? n[1] : random.generateSpanId();
        }

        @Override
        public String generateTraceId() {
            String[] n = next.get();
            return n != null && n[0] != null ? n[0] : random.generateTraceId();
        }
    }
}
