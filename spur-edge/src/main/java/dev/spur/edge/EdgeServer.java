package dev.spur.edge;

import dev.spur.common.Arns;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.control.Caller;
import dev.spur.control.ControlPlane;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import dev.spur.control.InvokeCommand;
import dev.spur.control.InvokeResult;
import dev.spur.control.Invoker;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogStore;
import dev.spur.store.CodeStore;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Spur's HTTP port: Lambda's REST API (control plane and Invoke) and Spur's own small API under
 * {@code /spur/v1} (logs, code downloads, health), on Helidon SE. Every request runs on its own
 * virtual thread, so an Invoke simply blocks until its function answers.
 */
public final class EdgeServer implements AutoCloseable {
    private static final String FUNCTIONS = "/2015-03-31/functions";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final ControlPlane control;
    private final Invoker invoker;
    private final LogStore logs;
    private final CodeStore code;
    private final String defaultRegion;
    private final WebServer server;

    public EdgeServer(String host, int port, String defaultRegion, ControlPlane control, Invoker invoker,
                      LogStore logs, CodeStore code) {
        this.control = control;
        this.invoker = invoker;
        this.logs = logs;
        this.code = code;
        this.defaultRegion = defaultRegion;
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(FunctionRoutes.MAX_CONTROL_BODY + 1024L)
                .routing(this::routes)
                .build();
    }

    public EdgeServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    private void routes(HttpRouting.Builder r) {
        r.post(FUNCTIONS, (req, res) -> control(req, res, 201, c -> FunctionRoutes.create(req, c)))
                .get(FUNCTIONS, (req, res) -> control(req, res, 200, c -> FunctionRoutes.list(req, c)))
                .get(FUNCTIONS + "/", (req, res) -> control(req, res, 200, c -> FunctionRoutes.list(req, c)))
                .get(FUNCTIONS + "/{name}", (req, res) -> control(req, res, 200,
                        c -> new FunctionCommand.GetFunction(c, name(req), RequestParsing.query(req, "Qualifier"))))
                .delete(FUNCTIONS + "/{name}", (req, res) -> control(req, res, 204,
                        c -> new FunctionCommand.DeleteFunction(c, name(req), RequestParsing.query(req, "Qualifier"))))
                .get(FUNCTIONS + "/{name}/configuration", (req, res) -> control(req, res, 200,
                        c -> new FunctionCommand.GetFunctionConfiguration(c, name(req),
                                RequestParsing.query(req, "Qualifier"))))
                .put(FUNCTIONS + "/{name}/configuration", (req, res) -> control(req, res, 200,
                        c -> FunctionRoutes.updateConfiguration(req, c, name(req))))
                .put(FUNCTIONS + "/{name}/code", (req, res) -> control(req, res, 200,
                        c -> FunctionRoutes.updateCode(req, c, name(req))))
                .post(FUNCTIONS + "/{name}/invocations", this::invoke)
                .get("/spur/v1/health", (req, res) -> res.header("Content-Type", "application/json")
                        .send("{\"status\":\"ok\"}"))
                .get("/spur/v1/functions/{name}/logs", this::readLogs)
                .get("/spur/v1/code/{sha}", this::downloadCode)
                .any((req, res) -> WireErrors.send(res, RequestIds.next(), LambdaException.of(
                        dev.spur.common.ErrorCode.UNKNOWN_OPERATION, "No operation matches %s %s",
                        req.prologue().method().text(), req.path().path())));
    }

    private void control(ServerRequest req, ServerResponse res, int status, Parser parser) {
        String requestId = RequestIds.next();
        try {
            FunctionCommand command = parser.parse(RequestParsing.caller(req, defaultRegion));
            ControlResult result = control.handle(command);
            byte[] body = FunctionRoutes.render(result, FunctionRoutes.codeBaseUrl(req));
            res.status(status).header("x-amzn-RequestId", requestId);
            if (body == null) {
                res.send();
            } else {
                res.header("Content-Type", "application/json").send(body);
            }
        } catch (Throwable t) {
            WireErrors.send(res, requestId, t);
        }
    }

    private void invoke(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.next();
        try {
            byte[] body = RequestParsing.body(req, Invoker.MAX_REQUEST_PAYLOAD);
            InvokeCommand command = new InvokeCommand(RequestParsing.caller(req, defaultRegion), name(req),
                    RequestParsing.query(req, "Qualifier"),
                    RequestParsing.header(req, "X-Amz-Invocation-Type"),
                    RequestParsing.header(req, "X-Amz-Log-Type"),
                    RequestParsing.header(req, "X-Amz-Client-Context"),
                    body, body.length, requestId);
            InvokeResult result = invoker.invoke(command);
            res.status(result.status())
                    .header("x-amzn-RequestId", requestId)
                    .header("X-Amz-Executed-Version", result.executedVersion());
            result.functionError().ifPresent(e -> res.header("X-Amz-Function-Error", e));
            result.logResult().ifPresent(l -> res.header("X-Amz-Log-Result", l));
            if (result.status() == 204) {
                res.send();
            } else {
                res.header("Content-Type", "application/json").send(result.payload());
            }
        } catch (Throwable t) {
            WireErrors.send(res, requestId, t);
        }
    }

    /**
     * {@code GET /spur/v1/functions/{name}/logs?from=&limit=}: raw log lines from a position (default:
     * the last 16 KB), with {@code X-Spur-Log-Position} telling where to continue.
     */
    private void readLogs(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.next();
        try {
            Caller caller = RequestParsing.caller(req, defaultRegion);
            FunctionKey key = Arns.parseFunctionRef(name(req), caller.account(), caller.region()).key();
            FunctionLog log = logs.of(key);
            int limit = RequestParsing.query(req, "limit").map(Integer::parseInt).orElse(256 * 1024);
            Optional<Long> from = RequestParsing.query(req, "from").map(Long::parseLong);
            long start = from.orElseGet(() -> {
                try {
                    return Math.max(0, log.end() - 16 * 1024);
                } catch (java.io.IOException e) {
                    return 0L;
                }
            });
            FunctionLog.Chunk chunk = log.read(start, Math.clamp(limit, 1, 4 * 1024 * 1024));
            byte[] bytes = chunk.bytes();
            if (from.isEmpty() && start > 0) {
                int nl = indexOf(bytes, (byte) '\n');
                bytes = nl >= 0 ? java.util.Arrays.copyOfRange(bytes, nl + 1, bytes.length) : bytes;
            }
            res.header("X-Spur-Log-Position", Long.toString(chunk.next()))
                    .header("Content-Type", "text/plain; charset=utf-8").send(bytes);
        } catch (NumberFormatException e) {
            WireErrors.send(res, requestId, LambdaException.invalid("from and limit must be integers."));
        } catch (Throwable t) {
            WireErrors.send(res, requestId, t);
        }
    }

    /** {@code GET /spur/v1/code/{sha256}}: the stored zip, where GetFunction's Code.Location points. */
    private void downloadCode(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.next();
        try {
            String sha = req.path().pathParameters().get("sha");
            Path zip = SHA256_HEX.matcher(sha).matches() ? code.zipFile(sha) : null;
            if (zip == null || !Files.isRegularFile(zip)) {
                throw LambdaException.notFound("No code package %s", sha);
            }
            res.header("Content-Type", "application/zip").send(Files.readAllBytes(zip));
        } catch (Throwable t) {
            WireErrors.send(res, requestId, t);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    @Override
    public void close() {
        server.stop();
    }

    @FunctionalInterface
    private interface Parser {
        FunctionCommand parse(Caller caller) throws Exception;
    }
}
