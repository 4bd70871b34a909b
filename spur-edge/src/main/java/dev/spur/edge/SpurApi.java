package dev.spur.edge;

import dev.spur.common.Arns;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogStore;
import dev.spur.store.CodeStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Spur's own API under {@code /spur/v1}: health, function logs and code package downloads. */
final class SpurApi implements EdgeApi {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int DEFAULT_TAIL = 16 * 1024;

    private final LogStore logs;
    private final CodeStore code;
    private final Authentication auth;
    private final Links links;
    private final Optional<FleetEdge> fleet;

    SpurApi(LogStore logs, CodeStore code, Authentication auth, Links links, Optional<FleetEdge> fleet) {
        this.logs = logs;
        this.code = code;
        this.auth = auth;
        this.links = links;
        this.fleet = fleet;
    }

    @Override
    public void register(Router router) {
        router.add(
                        "GET",
                        Draining.HEALTH,
                        x -> x.send(
                                200,
                                Map.of(),
                                "application/json",
                                "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII)))
                .add("GET", "/spur/v1/functions/{name}/logs", this::readLogs)
                .add("GET", "/spur/v1/code/{sha}", this::downloadCode);
    }

    /**
     * {@code GET /spur/v1/functions/{name}/logs?from=&limit=}: raw log lines from a position (default:
     * the last 16 KB, from a line start), with {@code X-Spur-Log-Position} telling where to continue. In a
     * fleet the tail (no {@code from}) holds the last 16 KB of every live node, merged by time; positions are
     * this node's, so following ({@code from}) continues with this node's lines only.
     */
    void readLogs(Exchange x) {
        String requestId = RequestIds.next();
        try {
            Caller caller = auth.caller(x, x.body(0));
            FunctionKey key = Arns.parseFunctionRef(x.pathParameter("name"), caller.account(), caller.region())
                    .key();
            FunctionLog log = logs.of(key);
            int limit = x.query("limit").map(Integer::parseInt).orElse(256 * 1024);
            Optional<Long> from = x.query("from").map(Long::parseLong);
            long start = from.isPresent() ? from.get() : Math.max(0, log.end() - DEFAULT_TAIL);
            FunctionLog.Chunk chunk = log.read(start, Math.clamp(limit, 1, 4 * 1024 * 1024));
            byte[] bytes = chunk.bytes();
            if (from.isEmpty() && start > 0) {
                int nl = indexOf(bytes, (byte) '\n');
                bytes = nl >= 0 ? Arrays.copyOfRange(bytes, nl + 1, bytes.length) : bytes;
            }
            if (from.isEmpty() && fleet.isPresent()) { // the tail: every node's lines, by time
                List<byte[]> tails = new ArrayList<>(fleet.get().peerLogTails(key, DEFAULT_TAIL));
                tails.add(bytes);
                bytes = LogLines.merge(tails);
            }
            x.send(200, Map.of("X-Spur-Log-Position", Long.toString(chunk.next())), "text/plain; charset=utf-8", bytes);
        } catch (NumberFormatException e) {
            WireErrors.send(x, requestId, LambdaException.invalid("from and limit must be integers."));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /** {@code GET /spur/v1/code/{sha256}}: the stored zip, where GetFunction's Code.Location points. */
    void downloadCode(Exchange x) {
        String requestId = RequestIds.next();
        try {
            String sha = x.pathParameter("sha");
            if (!links.validCodeLink(
                    sha, x.query("expires").orElse(""), x.query("signature").orElse(null))) {
                throw LambdaException.of(
                        ErrorCode.ACCESS_DENIED,
                        "This code link is invalid or has " + "expired; call GetFunction for a new one.");
            }
            Path zip = SHA256_HEX.matcher(sha).matches() ? code.zipFile(sha) : null;
            if (zip == null || !Files.isRegularFile(zip)) {
                throw LambdaException.notFound("No code package %s", sha);
            }
            x.send(200, Map.of(), "application/zip", Files.readAllBytes(zip));
        } catch (IOException e) {
            WireErrors.send(x, requestId, LambdaException.internal("cannot read code package", e));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /** The last {@code limit} bytes of {@code log}, from a line start. */
    static byte[] tail(FunctionLog log, int limit) throws IOException {
        long start = Math.max(0, log.end() - limit);
        byte[] bytes = log.read(start, Math.clamp(limit, 1, 4 * 1024 * 1024)).bytes();
        if (start > 0) {
            int nl = indexOf(bytes, (byte) '\n');
            bytes = nl >= 0 ? Arrays.copyOfRange(bytes, nl + 1, bytes.length) : bytes;
        }
        return bytes;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
