package dev.spur.edge;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.control.Caller;
import dev.spur.control.ControlPlane;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import dev.spur.control.InvokeCommand;
import dev.spur.control.InvokeResult;
import dev.spur.control.Invoker;
import dev.spur.logs.LogStore;
import dev.spur.store.CodeStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Spur's HTTP port: Lambda's REST API (control plane and Invoke) and Spur's own small API under
 * {@code /spur/v1}, on Jetty 12 core handlers. Jetty's selector threads parse HTTP; every request
 * is then handled on its own virtual thread, so an Invoke simply blocks until its function answers.
 */
public final class EdgeServer implements AutoCloseable {
    private static final String FUNCTIONS = "/2015-03-31/functions";

    private final ControlPlane control;
    private final Invoker invoker;
    private final String defaultRegion;
    private final Server server;
    private final ServerConnector connector;

    public EdgeServer(String host, int port, String defaultRegion, ControlPlane control, Invoker invoker,
                      LogStore logs, CodeStore code) {
        this.control = control;
        this.invoker = invoker;
        this.defaultRegion = defaultRegion;
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("spur-http");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("spur-request-", 0).factory()));
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(64 * 1024);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        // A connection waiting on an Invoke is idle on the wire; it must outlive the longest function (900 s).
        connector.setIdleTimeout(16 * 60 * 1000L);
        server.addConnector(connector);
        SpurApi spurApi = new SpurApi(logs, code, defaultRegion);
        Router router = new Router(this::unknown)
                .add("POST", FUNCTIONS, x -> control(x, 201, c -> FunctionRoutes.create(x, c)))
                .add("GET", FUNCTIONS, x -> control(x, 200, c -> FunctionRoutes.list(x, c)))
                .add("GET", FUNCTIONS + "/{name}", x -> control(x, 200,
                        c -> new FunctionCommand.GetFunction(c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("DELETE", FUNCTIONS + "/{name}", x -> control(x, 204,
                        c -> new FunctionCommand.DeleteFunction(c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("GET", FUNCTIONS + "/{name}/configuration", x -> control(x, 200,
                        c -> new FunctionCommand.GetFunctionConfiguration(c, x.pathParameter("name"),
                                x.query("Qualifier"))))
                .add("PUT", FUNCTIONS + "/{name}/configuration", x -> control(x, 200,
                        c -> FunctionRoutes.updateConfiguration(x, c, x.pathParameter("name"))))
                .add("PUT", FUNCTIONS + "/{name}/code", x -> control(x, 200,
                        c -> FunctionRoutes.updateCode(x, c, x.pathParameter("name"))))
                .add("POST", FUNCTIONS + "/{name}/invocations", this::invoke)
                .add("GET", "/spur/v1/health", x -> x.send(200, Map.of(), "application/json",
                        "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .add("GET", "/spur/v1/functions/{name}/logs", spurApi::readLogs)
                .add("GET", "/spur/v1/code/{sha}", spurApi::downloadCode);
        server.setHandler(router);
    }

    public EdgeServer start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + connector.getHost() + ":" + connector.getPort()
                    + ": " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    private void control(Exchange x, int status, Parser parser) {
        String requestId = RequestIds.next();
        try {
            FunctionCommand command = parser.parse(RequestParsing.caller(x, defaultRegion));
            ControlResult result = control.handle(command);
            byte[] body = FunctionRoutes.render(result, FunctionRoutes.codeBaseUrl(x));
            x.send(status, Map.of("x-amzn-RequestId", requestId), "application/json", body);
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private void invoke(Exchange x) {
        String requestId = RequestIds.next();
        try {
            byte[] body = x.body(Invoker.MAX_REQUEST_PAYLOAD);
            InvokeCommand command = new InvokeCommand(RequestParsing.caller(x, defaultRegion), x.pathParameter("name"),
                    x.query("Qualifier"), x.header("X-Amz-Invocation-Type"), x.header("X-Amz-Log-Type"),
                    x.header("X-Amz-Client-Context"), body, body.length, requestId);
            InvokeResult result = invoker.invoke(command);
            Map<String, String> headers = new LinkedHashMap<>(4);
            headers.put("x-amzn-RequestId", requestId);
            headers.put("X-Amz-Executed-Version", result.executedVersion());
            result.functionError().ifPresent(e -> headers.put("X-Amz-Function-Error", e));
            result.logResult().ifPresent(l -> headers.put("X-Amz-Log-Result", l));
            x.send(result.status(), headers, "application/json", result.status() == 204 ? null : result.payload());
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private void unknown(Exchange x) {
        WireErrors.send(x, RequestIds.next(), LambdaException.of(ErrorCode.UNKNOWN_OPERATION,
                "No operation matches %s %s", x.method(), x.path()));
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    @FunctionalInterface
    private interface Parser {
        FunctionCommand parse(Caller caller) throws Exception;
    }
}
