package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.auth.Principal;
import dev.spur.common.Arns;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.logs.FunctionLog;
import dev.spur.logs.LogStore;
import dev.spur.usage.UsageMeter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The web console at {@code /console}: static files from Spur's jar (plain ES modules, and uPlot from its
 * WebJar), the sign-in session ({@code /console/session}, with {@code --auth sigv4}) and the live event
 * stream ({@code /console/events}, server-sent events). Everything else the console shows it reads from
 * Spur's own APIs — Lambda's REST API and {@code /spur/v1} — as the signed-in account, through the
 * session cookie {@link Authentication} accepts in place of a signature; so the console can see and do
 * exactly what that account's access key can.
 */
final class ConsoleApi implements EdgeApi {
    /** The uPlot WebJar's version (spur-edge's pom names the same). */
    static final String UPLOT = "1.6.30";

    private static final Pattern FILE = Pattern.compile("[a-z0-9-]{1,64}\\.(js|css|html|svg)");
    private static final Map<String, String> VENDOR = Map.of(
            "uPlot.esm.js", "META-INF/resources/webjars/uplot/" + UPLOT + "/dist/uPlot.esm.js",
            "uPlot.min.css", "META-INF/resources/webjars/uplot/" + UPLOT + "/dist/uPlot.min.css");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "svg", "image/svg+xml");
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final Duration STREAM_LIFETIME = Duration.ofMinutes(10);
    private static final int LOG_TAIL = 8 * 1024;
    private static final int FLEET_TAIL_LINES = 200;
    private static final Duration FLEET_TAIL_WINDOW = Duration.ofMinutes(15);

    private final Authentication auth;
    private final LogStore logs;
    private final UsageMeter usage;
    private final Optional<LogsFleet> fleet;
    private final SignInLimiter signIns;

    ConsoleApi(Authentication auth, LogStore logs, UsageMeter usage, Optional<LogsFleet> fleet, InstantSource clock) {
        this.auth = auth;
        this.logs = logs;
        this.usage = usage;
        this.fleet = fleet;
        this.signIns = new SignInLimiter(clock);
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/console", x -> asset(x, "console/index.html", "html"))
                .add("GET", "/console/session", this::session)
                .add("POST", "/console/session", this::signIn)
                .add("DELETE", "/console/session", this::signOut)
                .add("GET", "/console/events", this::events)
                .add("GET", "/console/{file}", this::file)
                .add("GET", "/console/vendor/uplot/{file}", this::vendor);
    }

    void file(Exchange x) {
        String name = x.pathParameter("file");
        if (!FILE.matcher(name).matches()) {
            notFound(x);
            return;
        }
        asset(x, "console/" + name, name.substring(name.lastIndexOf('.') + 1));
    }

    void vendor(Exchange x) {
        String name = x.pathParameter("file");
        String resource = VENDOR.get(name);
        if (resource == null) {
            notFound(x);
            return;
        }
        asset(x, resource, name.substring(name.lastIndexOf('.') + 1));
    }

    /**
     * {@code GET /console/session}: how this server authenticates and who is signed in, with the CSRF token
     * the page sends back on state-changing calls. Another origin cannot read this answer (no CORS).
     */
    void session(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            ObjectNode node = Json.MAPPER.createObjectNode();
            if (!auth.enabled()) {
                Caller caller = auth.caller(x, x.body(0));
                node.put("Auth", "none").put("SignedIn", true).put("Account", caller.account());
                node.put("Region", caller.region());
                return node;
            }
            node.put("Auth", "sigv4");
            Optional<Sessions.Session> s = auth.sessions().of(x);
            node.put("SignedIn", s.isPresent());
            s.ifPresent(session -> node.put("Account", session.caller().account())
                    .put("Region", session.caller().region())
                    .put("AccessKeyId", session.accessKeyId())
                    .put("Csrf", session.csrf()));
            return node;
        });
    }

    /**
     * {@code POST /console/session} {@code {"AccessKeyId", "SecretAccessKey", "Region"}}: signs in. An address
     * with too many failed attempts lately is refused with 429 before its key is checked ({@link SignInLimiter}).
     */
    void signIn(Exchange x) {
        String requestId = RequestIds.next();
        try {
            LambdaException.requireValid(
                    auth.enabled(), "This server runs with --auth none: there is nothing to sign in to.");
            JsonNode body = RequestParsing.jsonBody(x, 16 * 1024);
            String region = text(body, "Region").orElse(auth.defaultRegion());
            LambdaException.requireValid(
                    region.matches("[a-z]{2}(-[a-z]+)+-\\d"), "Region %s is not a region name", region);
            String address = x.remoteAddress();
            if (!signIns.allowed(address)) {
                throw LambdaException.of(
                        ErrorCode.TOO_MANY_REQUESTS,
                        "Too many failed sign-ins from this address; try again in a few minutes.");
            }
            Principal p;
            try {
                p = auth.signIn(
                        text(body, "AccessKeyId").orElse(""),
                        text(body, "SecretAccessKey").orElse(""),
                        region);
            } catch (LambdaException e) {
                signIns.failed(address);
                throw e;
            }
            signIns.succeeded(address);
            Sessions.Session s = auth.sessions().start(new Caller(p.account(), region), p.accessKeyId());
            ObjectNode node = Json.MAPPER
                    .createObjectNode()
                    .put("Account", p.account())
                    .put("Region", region)
                    .put("AccessKeyId", p.accessKeyId())
                    .put("Csrf", s.csrf());
            x.send(
                    200,
                    List.of(
                            Map.entry("Content-Type", "application/json"),
                            Map.entry("Set-Cookie", Sessions.setCookie(s)),
                            Map.entry("Cache-Control", "no-store"),
                            Map.entry("x-amzn-RequestId", requestId)),
                    Json.MAPPER.writeValueAsBytes(node));
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /** {@code DELETE /console/session}: signs out (with the CSRF token, like every state change). */
    void signOut(Exchange x) {
        String requestId = RequestIds.next();
        try {
            if (auth.enabled()) {
                auth.caller(x, x.body(0)); // the session and its CSRF token, or a signature
                auth.sessions().of(x).ifPresent(auth.sessions()::end);
            }
            x.send(
                    204,
                    List.of(Map.entry("Set-Cookie", Sessions.clearCookie()), Map.entry("x-amzn-RequestId", requestId)),
                    new byte[0]);
        } catch (Throwable t) {
            WireErrors.send(x, requestId, t);
        }
    }

    /**
     * {@code GET /console/events[?function=]}: server-sent events for ten minutes (the browser's
     * EventSource then reconnects): {@code overview} every 5 s (every function's last hour of invocations
     * and errors); with {@code function}, its new log text as {@code log} every second and its series as
     * {@code series} every 5 s. In a fleet the log is the whole fleet's, read as {@code FilterLogEvents} reads it
     * ({@link LogsFleet#follow}: every live node's new lines, merged by time, each once); on one node it is this
     * node's log from a position.
     */
    void events(Exchange x) throws InterruptedException {
        Caller caller;
        Optional<FunctionKey> function;
        try {
            caller = auth.caller(x, x.body(0));
            function = x.query("function")
                    .map(f -> Arns.parseFunctionRef(f, caller.account(), caller.region())
                            .key());
        } catch (Throwable t) {
            WireErrors.send(x, RequestIds.next(), t);
            return;
        }
        long position = -1;
        FleetTail fleetTail = fleet.map(f -> new FleetTail(f, caller)).orElse(null);
        long started = System.nanoTime();
        try (Exchange.EventStream stream = x.eventStream()) {
            stream.retry(1000);
            for (int tick = 0; System.nanoTime() - started < STREAM_LIFETIME.toNanos(); tick++) {
                if (function.isPresent() && fleetTail != null) {
                    String text = fleetTail.next(function.get());
                    if (!text.isEmpty()) {
                        stream.send("log", text);
                    }
                } else if (function.isPresent()) {
                    FunctionLog log = logs.of(function.get());
                    if (position < 0) {
                        position = Math.max(0, log.end() - LOG_TAIL);
                    }
                    FunctionLog.Chunk chunk = log.read(position, 256 * 1024);
                    if (chunk.bytes().length > 0) {
                        stream.send("log", new String(chunk.bytes(), StandardCharsets.UTF_8).replace("\r", ""));
                    }
                    position = chunk.next();
                }
                if (tick % 5 == 0) {
                    if (function.isPresent()) {
                        stream.send(
                                "series", Json.MAPPER.writeValueAsString(UsageApi.series(usage, function.get(), 60)));
                    } else {
                        stream.send("overview", Json.MAPPER.writeValueAsString(UsageApi.overview(usage, caller, 60)));
                    }
                } else if (function.isEmpty()) {
                    stream.ping();
                }
                Thread.sleep(1000);
            }
        } catch (IOException gone) {
            // the browser closed the page or the stream; nothing to clean up
        }
    }

    /**
     * A function's live log across the fleet: the first read shows the last {@value #FLEET_TAIL_LINES} lines of
     * the last {@link #FLEET_TAIL_WINDOW}, each later one the lines after the cursor.
     */
    private static final class FleetTail {
        private final LogsFleet fleet;
        private final Caller caller;
        private Map<String, Long> cursor;
        private long since;

        FleetTail(LogsFleet fleet, Caller caller) {
            this.fleet = fleet;
            this.caller = caller;
        }

        String next(FunctionKey function) throws IOException {
            boolean first = cursor == null;
            if (first) {
                cursor = new TreeMap<>();
                since = System.currentTimeMillis() - FLEET_TAIL_WINDOW.toMillis();
            }
            List<String> lines = new ArrayList<>();
            try {
                for (int page = 0; page < 10; page++) {
                    LogsFleet.Merged merged =
                            fleet.follow(caller, LogStore.LAMBDA_PREFIX + function.name(), since, cursor);
                    merged.events()
                            .forEach(p ->
                                    lines.add(Instant.ofEpochMilli(p.event().timestamp()) + " " + p.event().stream()
                                            + " " + p.event().message().replace("\r", "")));
                    cursor = merged.next();
                    if (!merged.more()) {
                        break;
                    }
                }
            } catch (LogsRequests.LogsError e) {
                return ""; // no node has the group yet
            }
            List<String> shown =
                    first ? lines.subList(Math.max(0, lines.size() - FLEET_TAIL_LINES), lines.size()) : lines;
            return shown.isEmpty() ? "" : String.join("\n", shown) + "\n";
        }
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static void asset(Exchange x, String resource, String extension) {
        try (InputStream in = ConsoleApi.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                notFound(x);
                return;
            }
            byte[] bytes = in.readAllBytes();
            x.send(
                    200,
                    List.of(
                            Map.entry("Content-Type", TYPES.get(extension)),
                            Map.entry("Cache-Control", "no-cache"),
                            Map.entry("X-Content-Type-Options", "nosniff"),
                            Map.entry("Content-Security-Policy", CSP),
                            Map.entry("Referrer-Policy", "no-referrer")),
                    bytes);
        } catch (IOException e) {
            WireErrors.send(x, RequestIds.next(), LambdaException.internal("cannot read " + resource, e));
        }
    }

    private static void notFound(Exchange x) {
        WireErrors.send(
                x, RequestIds.next(), LambdaException.of(ErrorCode.RESOURCE_NOT_FOUND, "No console file %s", x.path()));
    }
}
