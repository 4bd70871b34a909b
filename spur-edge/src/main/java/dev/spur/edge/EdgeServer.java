package dev.spur.edge;

import dev.spur.auth.SigV4Verifier;
import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import dev.spur.control.ControlPlane;
import dev.spur.events.EventsService;
import dev.spur.gateway.FunctionInvoker;
import dev.spur.gateway.FunctionUrlService;
import dev.spur.gateway.Gateways;
import dev.spur.gateway.HttpApiService;
import dev.spur.invoke.AsyncDispatcher;
import dev.spur.invoke.Invoker;
import dev.spur.logs.LogStore;
import dev.spur.queue.EventQueue;
import dev.spur.s3.S3Service;
import dev.spur.sns.SnsService;
import dev.spur.sqs.SqsService;
import dev.spur.store.CodeStore;
import dev.spur.telemetry.Metrics;
import dev.spur.triggers.EventSourceMappings;
import dev.spur.triggers.Schedules;
import dev.spur.usage.PriceTable;
import dev.spur.usage.UsageMeter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * Spur's HTTP port: Lambda's REST API (control plane and Invoke), Spur's own small API under
 * {@code /spur/v1}, function URLs and HTTP APIs, on Jetty 12 core handlers. Jetty's selector threads
 * parse HTTP; every request is then handled on its own virtual thread, so an Invoke simply blocks
 * until its function answers.
 *
 * <p>Requests addressed to an HTTP API or a function URL (by host name or path prefix) go to
 * {@link GatewayHandler} or {@link FunctionUrls}; every other request is routed by path by the
 * {@link Router}, on which each {@link EdgeApi} registers its own routes.
 */
public final class EdgeServer implements AutoCloseable {
    private final LogsApi logsApi;
    private final HttpApiService apis;
    private final Server server;
    private final ServerConnector connector;

    /**
     * What the edge serves and with what.
     *
     * @param defaultRegion the region of unsigned requests
     * @param verifier      SigV4 verification for every Lambda API request; empty to accept every request
     *                      as the default account (local use)
     * @param clock         wall time (code links, request times)
     * @param ticker        elapsed time (gateway throttles and latencies)
     * @param accessLogDir  where HTTP APIs' access logs are written
     * @param metrics       what {@code GET /metrics} scrapes
     * @param metricsToken  the bearer token a scrape must send; empty: see {@link MetricsApi} for who may
     * @param fleet         the fleet this node belongs to (its node list and peer route), if any
     * @param usage         the usage meter (usage and the console's series)
     * @param prices        the estimated bill's prices
     */
    public record Dependencies(
            String defaultRegion,
            Optional<SigV4Verifier> verifier,
            InstantSource clock,
            Ticker ticker,
            ControlPlane control,
            Invoker invoker,
            EventQueue queue,
            AsyncDispatcher dispatcher,
            Schedules schedules,
            Gateways gateways,
            LogStore logs,
            CodeStore code,
            SqsService sqs,
            S3Service s3,
            SnsService sns,
            EventsService events,
            EventSourceMappings mappings,
            Path accessLogDir,
            Metrics metrics,
            Optional<String> metricsToken,
            Optional<FleetEdge> fleet,
            UsageMeter usage,
            PriceTable prices) {
        public Dependencies {
            Objects.requireNonNull(defaultRegion, "defaultRegion");
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(invoker, "invoker");
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(dispatcher, "dispatcher");
            Objects.requireNonNull(schedules, "schedules");
            Objects.requireNonNull(gateways, "gateways");
            Objects.requireNonNull(logs, "logs");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(sqs, "sqs");
            Objects.requireNonNull(s3, "s3");
            Objects.requireNonNull(sns, "sns");
            Objects.requireNonNull(events, "events");
            Objects.requireNonNull(mappings, "mappings");
            Objects.requireNonNull(accessLogDir, "accessLogDir");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(metricsToken, "metricsToken");
            Objects.requireNonNull(fleet, "fleet");
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(prices, "prices");
        }
    }

    /**
     * Loads the logs' indexes and runs the CloudWatch Logs read path once, in-process (call it on a thread of
     * its own after {@link #start()}): the first query after a restart then pays neither.
     */
    public void warmLogs() {
        logsApi.warm();
        // and the HTTP path once: a CloudWatch Logs request to this very port over loopback (answered, or
        // refused for want of a signature with --auth sigv4: either way Jetty's and the API's code has run)
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.setSoTimeout(5_000);
            byte[] body = "{\"limit\":1}".getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream()
                    .write(("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n"
                                    + "X-Amz-Target: " + LogsApi.TARGET_PREFIX + "DescribeLogGroups\r\n"
                                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getInputStream().readAllBytes();
        } catch (IOException | RuntimeException e) {
            // only a warm-up (the edge may listen on another address than loopback)
        }
    }

    /** An edge listening on {@code host:port} (0 for an ephemeral port) once {@link #start()}ed. */
    public EdgeServer(String host, int port, Dependencies d) {
        Authentication auth = d.verifier()
                .map(v -> Authentication.sigv4(v, d.defaultRegion(), new Sessions(d.clock())))
                .orElseGet(() -> Authentication.none(d.defaultRegion()));
        Links links = new Links(d.clock());
        ControlCalls calls = new ControlCalls(d.control(), auth, links);
        Router router = new Router(EdgeServer::unknown);
        // One port, many services (AwsServices): Lambda's REST API is the router; every other AWS
        // service on this port is one handler here, keyed by the service name its requests carry.
        LogsApi logsApi = new LogsApi(d.logs(), auth, d.fleet());
        this.logsApi = logsApi;
        Map<String, Router.RouteHandler> services = Map.ofEntries(
                SqsApi.entry(d.sqs(), auth),
                S3Api.entry(d.s3(), auth),
                // SNS and EventBridge
                SnsApi.entry(d.sns(), auth),
                EventsApi.entry(d.events(), auth),
                Map.entry(AwsServices.LOGS, logsApi::handle));
        List<EdgeApi> edgeApis = new ArrayList<>(List.of(
                new FunctionRoutes(calls),
                new InvokeApi(d.invoker(), auth),
                new InvokeStreamApi(d.invoker(), auth),
                new ReleaseRoutes(calls),
                new LayerRoutes(calls),
                new PolicyRoutes(calls),
                new SpurApi(d.logs(), d.code(), auth, links, d.fleet()),
                new AsyncApi(d.queue(), d.dispatcher(), auth),
                new ScheduleApi(d.schedules(), auth),
                new MappingApi(d.mappings(), auth),
                new ApiAdmin(d.gateways(), auth),
                new MetricsApi(d.metrics(), d.metricsToken(), d.verifier().isPresent()),
                new UsageApi(d.usage(), d.prices(), auth, d.clock()),
                new ConsoleApi(auth, d.logs(), d.usage(), logsApi.fleet(), d.clock())));
        d.fleet().ifPresent(f -> edgeApis.add(new FleetApi(f, d.invoker(), auth, d.clock(), d.logs(), logsApi)));
        edgeApis.forEach(api -> api.register(router));

        FunctionInvoker functions = InvokeApi.functions(d.invoker());
        this.apis = HttpApiService.create(d.gateways()::find, functions, d.clock(), d.ticker(), d.accessLogDir());
        GatewayHandler gateway = new GatewayHandler(apis, d.clock());
        FunctionUrls urls = new FunctionUrls(
                FunctionUrlService.create(
                        id -> d.control()
                                .functionUrl(id)
                                .map(t -> new FunctionUrlService.Target(t.function(), t.config())),
                        functions),
                auth,
                d.clock());

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
        server.setHandler(new Draining(new Handler.Wrapper(router) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Router.RouteHandler service = services.get(AwsServices.of(request));
                if (service != null) {
                    Exchange x = new Exchange(request, response, callback, Map.of());
                    serve(x, callback, service);
                    return true;
                }
                String host = request.getHeaders().get(HttpHeader.HOST);
                String path = request.getHttpURI().getPath();
                String apiId = GatewayHandler.apiId(host, path);
                if (apiId != null) {
                    Exchange x = new Exchange(request, response, callback, Map.of());
                    serve(x, callback, e -> gateway.handle(e, apiId, !byHost(host, apiId)));
                    return true;
                }
                String urlId = FunctionUrls.urlId(host, path);
                if (urlId != null) {
                    Exchange x = new Exchange(request, response, callback, Map.of());
                    serve(x, callback, e -> urls.handle(e, urlId, !byHost(host, urlId)));
                    return true;
                }
                return super.handle(request, response, callback);
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

    /** Whether a function URL or HTTP API request named its id as the host name's first label. */
    private static boolean byHost(String host, String id) {
        return host != null && host.startsWith(id + ".");
    }

    private static void serve(Exchange x, Callback callback, Router.RouteHandler handler) {
        try {
            handler.handle(x);
        } catch (Throwable t) {
            if (!x.answered()) {
                callback.failed(t);
            }
        }
    }

    private static void unknown(Exchange x) {
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
            apis.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
