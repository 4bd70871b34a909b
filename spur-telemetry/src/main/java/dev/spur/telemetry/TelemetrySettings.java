package dev.spur.telemetry;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node reports on itself.
 *
 * @param nodeName     the {@code node} label of every series; empty: the host name
 * @param metricsToken a bearer token {@code GET /metrics} requires; empty: see the edge's rules
 * @param otlpEndpoint where spans are sent (OTLP/HTTP, e.g. {@code http://collector:4318}); empty: no
 *                     tracing, and nothing on the invoke path pays for it
 */
public record TelemetrySettings(Optional<String> nodeName, Optional<String> metricsToken, Optional<URI> otlpEndpoint) {
    public TelemetrySettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(metricsToken, "metricsToken");
        Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
        metricsToken.ifPresent(t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("the metrics token must not be blank");
            }
        });
    }

    public static TelemetrySettings defaults() {
        return new TelemetrySettings(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public TelemetrySettings withMetricsToken(String token) {
        return new TelemetrySettings(nodeName, Optional.of(token), otlpEndpoint);
    }

    public TelemetrySettings withOtlpEndpoint(URI endpoint) {
        return new TelemetrySettings(nodeName, metricsToken, Optional.of(endpoint));
    }

    public TelemetrySettings withNodeName(String name) {
        return new TelemetrySettings(Optional.of(name), metricsToken, otlpEndpoint);
    }

    /** The node label: the name given, else the host name. */
    public String node() {
        return nodeName.orElseGet(Metrics::hostName);
    }
}
