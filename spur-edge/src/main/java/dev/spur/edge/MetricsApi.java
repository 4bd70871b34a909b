package dev.spur.edge;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.telemetry.Metrics;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /metrics}: the node's metrics for Prometheus (text 0.0.4, or OpenMetrics 1.0 when the
 * {@code Accept} header asks for it), every account's functions in one scrape.
 *
 * <p><b>Who may scrape.</b> A scrape shows every account's functions, so an account's signed request
 * is never enough: with {@code --metrics-token} every scrape must send
 * {@code Authorization: Bearer <token>} (from anywhere); without one, with {@code --auth none} anyone
 * who reaches the port may scrape (as they may call every API), and with {@code --auth sigv4} only
 * clients on the loopback interface may (a Prometheus on the same host, or behind a local proxy).
 * Refusals are 403 {@code AccessDeniedException}.
 */
final class MetricsApi implements EdgeApi {
    private final Metrics metrics;
    private final Optional<byte[]> token;
    private final boolean signedRequestsOnly;

    MetricsApi(Metrics metrics, Optional<String> token, boolean signedRequestsOnly) {
        this.metrics = metrics;
        this.token = token.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
        this.signedRequestsOnly = signedRequestsOnly;
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/metrics", this::scrape);
    }

    private void scrape(Exchange x) {
        String requestId = RequestIds.next();
        try {
            allow(x);
            Metrics.Scrape scrape = metrics.scrape(x.header("Accept").orElse(null));
            x.send(200, Map.of("x-amzn-RequestId", requestId), scrape.contentType(), scrape.body());
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private void allow(Exchange x) {
        if (token.isPresent()) {
            byte[] sent = x.header("Authorization").orElse("").getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(sent, token.get())) {
                throw LambdaException.of(
                        ErrorCode.ACCESS_DENIED, "Scraping /metrics needs Authorization: Bearer <the metrics token>.");
            }
            return;
        }
        if (signedRequestsOnly && !loopback(x.remoteAddress())) {
            throw LambdaException.of(
                    ErrorCode.ACCESS_DENIED,
                    "With --auth sigv4, /metrics answers loopback clients only (or start Spur with --metrics-token).");
        }
    }

    private static boolean loopback(String address) {
        try {
            return address != null && InetAddress.ofLiteral(address).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
