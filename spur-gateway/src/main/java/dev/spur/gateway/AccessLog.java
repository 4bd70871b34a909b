package dev.spur.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * One JSON access-log line per HTTP API request. Field names are API Gateway's {@code $context}
 * variables (<em>Customizing HTTP API access logs</em>): {@code requestId}, {@code ip},
 * {@code requestTime}, {@code httpMethod}, {@code routeKey}, {@code path}, {@code status},
 * {@code protocol}, {@code responseLength}, {@code responseLatency}, {@code integrationLatency},
 * {@code integrationStatus}, {@code integrationErrorMessage}. As in API Gateway's JSON log formats,
 * where every value is a substituted string, every value is a string and one that does not apply is
 * {@code "-"}; {@code requestTime} is in CLF ({@code 04/Mar/2020:19:15:17 +0000}), latencies in
 * milliseconds.
 */
public final class AccessLog {

    private AccessLog() {}

    /**
     * One request's facts.
     *
     * @param routeKey                the matched route; {@code "-"} when none matched
     * @param integrationLatencyMs    -1 when the integration was not called (throttled, unauthorized, no route)
     * @param integrationStatus       the status the function's answer mapped to, or -1 when not called
     * @param integrationErrorMessage why the integration failed; {@code ""} when it did not
     */
    public record Entry(
            String requestId,
            String ip,
            Instant requestTime,
            String httpMethod,
            String routeKey,
            String path,
            int status,
            String protocol,
            long responseLength,
            long responseLatencyMs,
            long integrationLatencyMs,
            int integrationStatus,
            String integrationErrorMessage) {
        public Entry {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(ip, "ip");
            Objects.requireNonNull(requestTime, "requestTime");
            Objects.requireNonNull(httpMethod, "httpMethod");
            Objects.requireNonNull(routeKey, "routeKey");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(integrationErrorMessage, "integrationErrorMessage");
        }
    }

    /** The entry as one line of JSON, without the line break. */
    public static String line(Entry e) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("requestId", e.requestId());
        line.put("ip", e.ip());
        line.put("requestTime", RequestParts.time(e.requestTime()));
        line.put("httpMethod", e.httpMethod());
        line.put("routeKey", e.routeKey().isEmpty() ? "-" : e.routeKey());
        line.put("path", e.path());
        line.put("status", Integer.toString(e.status()));
        line.put("protocol", e.protocol());
        line.put("responseLength", Long.toString(e.responseLength()));
        line.put("responseLatency", Long.toString(e.responseLatencyMs()));
        line.put("integrationLatency", e.integrationLatencyMs() < 0 ? "-" : Long.toString(e.integrationLatencyMs()));
        line.put("integrationStatus", e.integrationStatus() < 0 ? "-" : Integer.toString(e.integrationStatus()));
        line.put("integrationErrorMessage", e.integrationErrorMessage().isEmpty() ? "-" : e.integrationErrorMessage());
        try {
            return Json.MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialize a tree of strings", ex);
        }
    }
}
