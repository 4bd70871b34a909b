package dev.spur.edge;

import dev.spur.auth.SigV4Verifier;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.control.ControlPlane;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import dev.spur.gateway.Gateways;
import dev.spur.invoke.AsyncDispatcher;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.logs.LogStore;
import dev.spur.queue.EventQueue;
import dev.spur.store.CodeStore;
import dev.spur.triggers.Schedules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Spur's HTTP port: Lambda's REST API (control plane and Invoke) and Spur's own small API under
 * {@code /spur/v1}, on Jetty 12 core handlers. Jetty's selector threads parse HTTP; every request
 * is then handled on its own virtual thread, so an Invoke simply blocks until its function answers.
 */
public final class EdgeServer implements AutoCloseable {
    private static final String FUNCTIONS = "/2015-03-31/functions";

    private static final String VERSIONS = "/2015-03-31/functions/{name}/versions";
    private static final String ALIASES = "/2015-03-31/functions/{name}/aliases";
    private static final String URL = "/2021-10-31/functions/{name}/url";
    private static final String EVENT_INVOKE_CONFIG = "/2019-09-25/functions/{name}/event-invoke-config";
    private static final String PROVISIONED = "/2019-09-30/functions/{name}/provisioned-concurrency";

    private final ControlPlane control;
    private final Invoker invoker;
    private final Authentication auth;
    private final Links links;
    private final FunctionUrls urls;
    private final GatewayHandler gateway;
    private final AccessLogs accessLogs;
    private final Server server;
    private final ServerConnector connector;

    /**
     * @param verifier SigV4 verification for every Lambda API request, or null to accept every request
     *                 as the default account (local use)
     */
    public EdgeServer(
            String host,
            int port,
            String defaultRegion,
            ControlPlane control,
            Invoker invoker,
            LogStore logs,
            CodeStore code,
            SigV4Verifier verifier,
            InstantSource clock,
            EventQueue queue,
            AsyncDispatcher dispatcher,
            Schedules schedules,
            Gateways gateways,
            Path accessLogDir) {
        this.control = control;
        this.invoker = invoker;
        this.auth =
                verifier == null ? Authentication.none(defaultRegion) : Authentication.sigv4(verifier, defaultRegion);
        this.links = new Links(clock);
        this.urls = new FunctionUrls(control, invoker, auth, clock);
        this.accessLogs = new AccessLogs(accessLogDir);
        this.gateway = new GatewayHandler(gateways, invoker, clock, accessLogs);
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("spur-http");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("spur-request-", 0).factory()));
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(64 * 1024);
        // Gateway and function URL paths reach functions as sent (empty segments, encoded slashes), as on
        // AWS; Spur's own routes decode segment by segment and are not confused by them.
        http.setUriCompliance(UriCompliance.LEGACY);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        // A connection waiting on an Invoke is idle on the wire; it must outlive the longest function (900 s).
        connector.setIdleTimeout(16 * 60 * 1000L);
        server.addConnector(connector);
        SpurApi spurApi = new SpurApi(logs, code, auth, links);
        AsyncApi asyncApi = new AsyncApi(queue, dispatcher, auth);
        ScheduleApi scheduleApi = new ScheduleApi(schedules, auth);
        ApiAdmin apiAdmin = new ApiAdmin(gateways, auth);
        Router router = new Router(this::unknown)
                .add("POST", FUNCTIONS, x -> control(x, 201, c -> FunctionRoutes.create(x, c)))
                .add("GET", FUNCTIONS, x -> control(x, 200, c -> FunctionRoutes.list(x, c)))
                .add(
                        "GET",
                        FUNCTIONS + "/{name}",
                        x -> control(
                                x,
                                200,
                                c -> new FunctionCommand.GetFunction(c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        FUNCTIONS + "/{name}",
                        x -> control(
                                x,
                                204,
                                c -> new FunctionCommand.DeleteFunction(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "GET",
                        FUNCTIONS + "/{name}/configuration",
                        x -> control(
                                x,
                                200,
                                c -> new FunctionCommand.GetFunctionConfiguration(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "PUT",
                        FUNCTIONS + "/{name}/configuration",
                        x -> control(x, 200, c -> FunctionRoutes.updateConfiguration(x, c, x.pathParameter("name"))))
                .add(
                        "PUT",
                        FUNCTIONS + "/{name}/code",
                        x -> control(x, 200, c -> FunctionRoutes.updateCode(x, c, x.pathParameter("name"))))
                .add("POST", FUNCTIONS + "/{name}/invocations", this::invoke)
                .add("POST", VERSIONS, x -> control(x, 201, c -> ReleaseRoutes.publishVersion(x, c)))
                .add("GET", VERSIONS, x -> control(x, 200, c -> ReleaseRoutes.listVersions(x, c)))
                .add("POST", ALIASES, x -> control(x, 201, c -> ReleaseRoutes.createAlias(x, c)))
                .add("GET", ALIASES, x -> control(x, 200, c -> ReleaseRoutes.listAliases(x, c)))
                .add(
                        "GET",
                        ALIASES + "/{alias}",
                        x -> control(
                                x,
                                200,
                                c -> new FunctionCommand.GetAlias(
                                        c, x.pathParameter("name"), x.pathParameter("alias"))))
                .add("PUT", ALIASES + "/{alias}", x -> control(x, 200, c -> ReleaseRoutes.updateAlias(x, c)))
                .add(
                        "DELETE",
                        ALIASES + "/{alias}",
                        x -> control(
                                x,
                                204,
                                c -> new FunctionCommand.DeleteAlias(
                                        c, x.pathParameter("name"), x.pathParameter("alias"))))
                .add(
                        "PUT",
                        "/2017-10-31/functions/{name}/concurrency",
                        x -> control(x, 200, c -> ReleaseRoutes.putConcurrency(x, c)))
                .add(
                        "DELETE",
                        "/2017-10-31/functions/{name}/concurrency",
                        x -> control(
                                x, 204, c -> new FunctionCommand.DeleteFunctionConcurrency(c, x.pathParameter("name"))))
                .add(
                        "GET",
                        "/2019-09-30/functions/{name}/concurrency",
                        x -> control(
                                x, 200, c -> new FunctionCommand.GetFunctionConcurrency(c, x.pathParameter("name"))))
                .add(
                        "GET",
                        "/2016-08-19/account-settings",
                        x -> control(x, 200, FunctionCommand.GetAccountSettings::new))
                .add("PUT", PROVISIONED, x -> control(x, 202, c -> ReleaseRoutes.putProvisioned(x, c)))
                .add("GET", PROVISIONED, x -> control(x, 200, c -> ReleaseRoutes.getOrListProvisioned(x, c)))
                .add(
                        "DELETE",
                        PROVISIONED,
                        x -> control(
                                x,
                                204,
                                c -> new FunctionCommand.DeleteProvisionedConcurrency(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add("POST", URL, x -> control(x, 201, c -> ReleaseRoutes.putUrl(x, c, true)))
                .add("PUT", URL, x -> control(x, 200, c -> ReleaseRoutes.putUrl(x, c, false)))
                .add(
                        "GET",
                        URL,
                        x -> control(
                                x,
                                200,
                                c -> new FunctionCommand.GetFunctionUrl(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        URL,
                        x -> control(
                                x,
                                204,
                                c -> new FunctionCommand.DeleteFunctionUrl(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "GET",
                        "/2021-10-31/functions/{name}/urls",
                        x -> control(x, 200, c -> ReleaseRoutes.listUrls(x, c)))
                .add(
                        "PUT",
                        EVENT_INVOKE_CONFIG,
                        x -> control(x, 200, c -> ReleaseRoutes.putEventInvokeConfig(x, c, false)))
                .add(
                        "POST",
                        EVENT_INVOKE_CONFIG,
                        x -> control(x, 200, c -> ReleaseRoutes.putEventInvokeConfig(x, c, true)))
                .add(
                        "GET",
                        EVENT_INVOKE_CONFIG,
                        x -> control(
                                x,
                                200,
                                c -> new FunctionCommand.GetEventInvokeConfig(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        EVENT_INVOKE_CONFIG,
                        x -> control(
                                x,
                                204,
                                c -> new FunctionCommand.DeleteEventInvokeConfig(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "GET",
                        EVENT_INVOKE_CONFIG + "/list",
                        x -> control(x, 200, c -> ReleaseRoutes.listEventInvokeConfigs(x, c)))
                .add("POST", "/2017-03-31/tags/{arn}", x -> control(x, 204, c -> ReleaseRoutes.tag(x, c)))
                .add("DELETE", "/2017-03-31/tags/{arn}", x -> control(x, 204, c -> ReleaseRoutes.untag(x, c)))
                .add(
                        "GET",
                        "/2017-03-31/tags/{arn}",
                        x -> control(x, 200, c -> new FunctionCommand.ListTags(c, x.pathParameter("arn"))))
                .add(
                        "GET",
                        Draining.HEALTH,
                        x -> x.send(
                                200,
                                Map.of(),
                                "application/json",
                                "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII)))
                .add("GET", "/spur/v1/functions/{name}/logs", spurApi::readLogs)
                .add("GET", "/spur/v1/code/{sha}", spurApi::downloadCode)
                .add("GET", "/spur/v1/async", asyncApi::stats)
                .add("GET", "/spur/v1/dead-letters", asyncApi::list)
                .add("DELETE", "/spur/v1/dead-letters", asyncApi::purge)
                .add("GET", "/spur/v1/dead-letters/{id}", asyncApi::get)
                .add("POST", "/spur/v1/dead-letters/{id}/replay", asyncApi::replay)
                .add("POST", "/spur/v1/schedules", scheduleApi::create)
                .add("GET", "/spur/v1/schedules", scheduleApi::list)
                .add("GET", "/spur/v1/schedules/{name}", scheduleApi::get)
                .add("PUT", "/spur/v1/schedules/{name}", scheduleApi::update)
                .add("DELETE", "/spur/v1/schedules/{name}", scheduleApi::delete)
                .add("POST", "/spur/v1/apis", apiAdmin::create)
                .add("GET", "/spur/v1/apis", apiAdmin::list)
                .add("GET", "/spur/v1/apis/{api}", apiAdmin::get)
                .add("PUT", "/spur/v1/apis/{api}", apiAdmin::replace)
                .add("DELETE", "/spur/v1/apis/{api}", apiAdmin::delete)
                .add("PUT", "/spur/v1/apis/{api}/routes", apiAdmin::putRoute)
                .add("DELETE", "/spur/v1/apis/{api}/routes", apiAdmin::deleteRoute);
        server.setHandler(new Draining(new Handler.Wrapper(router) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String host = request.getHeaders().get(HttpHeader.HOST);
                String path = request.getHttpURI().getPath();
                String apiId = GatewayHandler.apiId(host, path);
                if (apiId != null) {
                    boolean byHost = host != null && host.startsWith(apiId + ".");
                    Exchange x = new Exchange(request, response, callback, Map.of());
                    try {
                        gateway.handle(x, apiId, !byHost);
                    } catch (Throwable t) {
                        if (!x.answered()) {
                            callback.failed(t);
                        }
                    }
                    return true;
                }
                String urlId = FunctionUrls.urlId(host, path);
                if (urlId == null) {
                    return super.handle(request, response, callback);
                }
                boolean byHost = host != null && host.startsWith(urlId + ".");
                Exchange x = new Exchange(request, response, callback, Map.of());
                try {
                    urls.handle(x, urlId, !byHost);
                } catch (Throwable t) {
                    if (!x.answered()) {
                        callback.failed(t);
                    }
                }
                return true;
            }
        }));
    }

    public EdgeServer start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot listen on " + connector.getHost() + ":" + connector.getPort() + ": " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    private void control(Exchange x, int status, Parser parser) {
        String requestId = RequestIds.next();
        try {
            Caller caller = auth.caller(x, x.body(FunctionRoutes.MAX_CONTROL_BODY));
            FunctionCommand command = parser.parse(caller);
            ControlResult result = control.handle(command);
            byte[] body = FunctionRoutes.render(result, links.bind(x.authority()));
            x.send(status, Map.of("x-amzn-RequestId", requestId), "application/json", body);
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private void invoke(Exchange x) {
        String requestId = RequestIds.next();
        try {
            byte[] body = x.body(Invoker.MAX_REQUEST_PAYLOAD);
            InvokeCommand command = new InvokeCommand(
                    auth.caller(x, body),
                    x.pathParameter("name"),
                    x.query("Qualifier"),
                    x.header("X-Amz-Invocation-Type"),
                    x.header("X-Amz-Log-Type"),
                    x.header("X-Amz-Client-Context"),
                    body,
                    body.length,
                    requestId);
            InvokeResult result = invoker.invoke(command);
            Map<String, String> headers = new LinkedHashMap<>(4);
            headers.put("x-amzn-RequestId", requestId);
            if (result.executedVersion() != null) {
                headers.put("X-Amz-Executed-Version", result.executedVersion());
            }
            result.functionError().ifPresent(e -> headers.put("X-Amz-Function-Error", e));
            result.logResult().ifPresent(l -> headers.put("X-Amz-Log-Result", l));
            x.send(result.status(), headers, "application/json", result.status() == 204 ? null : result.payload());
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    private void unknown(Exchange x) {
        WireErrors.send(
                x,
                RequestIds.next(),
                LambdaException.of(ErrorCode.UNKNOWN_OPERATION, "No operation matches %s %s", x.method(), x.path()));
    }

    /**
     * Stops gracefully: the listening socket closes at once (new connections are refused), a new
     * request on a connection still open is answered 503 ({@link Draining}), and requests in progress
     * get up to {@code grace} to finish before their connections are closed. Failure semantics: a
     * request cut off at the bound gets no answer — its function may have run, as when a node dies.
     */
    public void close(Duration grace) {
        server.setStopTimeout(Math.max(1, grace.toMillis()));
        close();
    }

    /** Stops at once: requests in progress lose their connections. */
    @Override
    public void close() {
        try {
            server.stop();
            accessLogs.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    @FunctionalInterface
    private interface Parser {
        FunctionCommand parse(Caller caller) throws Exception;
    }
}
