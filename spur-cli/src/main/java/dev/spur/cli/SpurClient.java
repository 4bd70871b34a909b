package dev.spur.cli;

import dev.spur.auth.Credential;
import dev.spur.auth.SigV4Signer;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Spur's HTTP API as the CLI uses it: Lambda's REST API plus {@code /spur/v1} (logs, the
 * asynchronous queue, dead letters, schedules, HTTP APIs), over
 * {@link HttpURLConnection} (which loads far faster than {@code java.net.http.HttpClient}).
 * With a {@link Signing} every request carries an AWS Signature V4 (service {@code lambda}), as a
 * server run with {@code --auth sigv4} requires; without one requests go unsigned, which only a
 * server run with {@code --auth none} accepts.
 *
 * <p>Every call fails with a {@link CliException}: {@code API_ERROR} when Spur answered with an
 * error (the request was refused, nothing changed unless the method says otherwise),
 * {@code UNREACHABLE} when no connection could be made (nothing was sent), or {@code UNREACHABLE}
 * with "may or may not have taken effect" when the connection broke after the request went out.
 * The client never retries, so a request reaches the server at most once.
 */
final class SpurClient {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:9000";
    private static final String FUNCTIONS = "/2015-03-31/functions";
    private static final String SPUR = "/spur/v1";
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int CONTROL_READ_TIMEOUT_MS =
            (int) Duration.ofMinutes(5).toMillis();

    static {
        // HttpURLConnection silently re-sends a POST once when a kept-alive connection turns out closed,
        // which could run a function twice. Must be set before the HTTP classes initialise.
        if (System.getProperty("sun.net.http.retryPost") == null) {
            System.setProperty("sun.net.http.retryPost", "false");
        }
    }

    private static final String SERVICE = "lambda";

    private final String endpoint;
    private final Optional<Signing> signing;
    private final InstantSource clock;

    SpurClient(String endpoint) {
        this(endpoint, Optional.empty(), InstantSource.system());
    }

    SpurClient(String endpoint, Optional<Signing> signing, InstantSource clock) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.signing = signing;
        this.clock = clock;
    }

    String endpoint() {
        return endpoint;
    }

    /** CreateFunction; empty, with nothing changed, if a function of that name already exists. */
    Optional<Map<String, Object>> createFunction(Map<String, Object> request) {
        Response res = send("POST", FUNCTIONS, json(request), Map.of(), CONTROL_READ_TIMEOUT_MS);
        if (res.errorType().filter("ResourceConflictException"::equals).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(res.orThrow().json());
    }

    /** UpdateFunctionCode with a zip; the function's configuration stays as it was. */
    Map<String, Object> updateFunctionCode(String name, byte[] zip) {
        byte[] body = json(Map.of("ZipFile", Base64.getEncoder().encodeToString(zip)));
        return send("PUT", FUNCTIONS + "/" + segment(name) + "/code", body, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** UpdateFunctionConfiguration: only the fields present in {@code request} change. */
    Map<String, Object> updateFunctionConfiguration(String name, Map<String, Object> request) {
        return send(
                        "PUT",
                        FUNCTIONS + "/" + segment(name) + "/configuration",
                        json(request),
                        Map.of(),
                        CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /**
     * A synchronous Invoke, waiting as long as the function runs. A function error is a normal
     * result ({@link Invocation#functionError()}), not an exception. If the connection breaks while
     * waiting, the function may have run, fully or partly.
     */
    Invocation invoke(String name, byte[] payload, boolean logTail, Optional<String> clientContextBase64) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (logTail) {
            headers.put("X-Amz-Log-Type", "Tail");
        }
        clientContextBase64.ifPresent(c -> headers.put("X-Amz-Client-Context", c));
        Response res = send("POST", FUNCTIONS + "/" + segment(name) + "/invocations", payload, headers, 0)
                .orThrow();
        return new Invocation(
                res.body(),
                res.header("X-Amz-Function-Error"),
                res.header("X-Amz-Log-Result")
                        .map(l -> new String(Base64.getDecoder().decode(l), StandardCharsets.UTF_8)));
    }

    /** One page of ListFunctions, from {@code marker} (the previous page's NextMarker). */
    FunctionPage listFunctions(Optional<String> marker, Optional<Integer> maxItems) {
        StringBuilder query = new StringBuilder();
        marker.ifPresent(
                m -> query.append(query.isEmpty() ? "?" : "&").append("Marker=").append(encode(m)));
        maxItems.ifPresent(m ->
                query.append(query.isEmpty() ? "?" : "&").append("MaxItems=").append(m));
        Map<String, Object> page = send("GET", FUNCTIONS + "/" + query, null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> functions = (List<Map<String, Object>>) page.getOrDefault("Functions", List.of());
        return new FunctionPage(functions, Optional.ofNullable((String) page.get("NextMarker")));
    }

    /** {@code GET /spur/v1/nodes}: the fleet's nodes (404 UnknownOperation on a node without a shared database). */
    List<Map<String, Object>> nodes() {
        Map<String, Object> answer = send("GET", "/spur/v1/nodes", null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) answer.getOrDefault("Nodes", List.of());
        return nodes;
    }

    /** GetFunctionConfiguration. Reading changes nothing. */
    Map<String, Object> getFunctionConfiguration(String name) {
        return send("GET", FUNCTIONS + "/" + segment(name) + "/configuration", null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** DeleteFunction: the function, its code reference and its warm environments go. */
    void deleteFunction(String name) {
        send("DELETE", FUNCTIONS + "/" + segment(name), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow();
    }

    /** Log lines from byte position {@code from}, or the last ~16 KB when empty. Reading changes nothing. */
    LogChunk logs(String name, Optional<Long> from) {
        String query = from.map(f -> "?from=" + f).orElse("");
        Response res = send(
                        "GET",
                        "/spur/v1/functions/" + segment(name) + "/logs" + query,
                        null,
                        Map.of(),
                        CONTROL_READ_TIMEOUT_MS)
                .orThrow();
        long next = res.header("X-Spur-Log-Position").map(Long::parseLong).orElse(from.orElse(0L));
        return new LogChunk(new String(res.body(), StandardCharsets.UTF_8), next);
    }

    /**
     * An Event Invoke: Spur stores the event durably and answers 202 before the function runs; it
     * runs later, at least once, with the returned request id (retries and dead letters as the
     * function's event invoke config says). If the connection breaks, the event may have been queued.
     */
    String invokeAsync(String name, byte[] payload, Optional<String> clientContextBase64) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Amz-Invocation-Type", "Event");
        clientContextBase64.ifPresent(c -> headers.put("X-Amz-Client-Context", c));
        Response res = send(
                        "POST",
                        FUNCTIONS + "/" + segment(name) + "/invocations",
                        payload,
                        headers,
                        CONTROL_READ_TIMEOUT_MS)
                .orThrow();
        return res.header("x-amzn-RequestId").orElse("(no request id)");
    }

    /** The asynchronous queue's statistics ({@code GET /spur/v1/async}). Reading changes nothing. */
    Map<String, Object> asyncStats() {
        return send("GET", SPUR + "/async", null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Usage and the estimated bill ({@code GET /spur/v1/usage}). Reading changes nothing. */
    Map<String, Object> usage(Optional<String> function, Optional<String> since, Optional<String> until, String by) {
        String query = query(Map.of("function", function, "since", since, "until", until, "by", Optional.of(by)));
        return send("GET", SPUR + "/usage" + query, null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** One page of the caller's dead letters, oldest first, from {@code after} (the previous page's NextAfter). */
    DeadLetterPage deadLetters(Optional<String> function, Optional<String> after, int limit) {
        String query = query(Map.of("function", function, "after", after, "limit", Optional.of(limit)));
        Map<String, Object> page = send("GET", SPUR + "/dead-letters" + query, null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> letters = (List<Map<String, Object>>) page.getOrDefault("DeadLetters", List.of());
        return new DeadLetterPage(letters, Optional.ofNullable((String) page.get("NextAfter")));
    }

    Map<String, Object> deadLetter(String id) {
        return send("GET", SPUR + "/dead-letters/" + encode(id), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Puts a dead letter back in the queue (it leaves the dead-letter store); the function runs again, later. */
    void replayDeadLetter(String id) {
        send("POST", SPUR + "/dead-letters/" + encode(id) + "/replay", new byte[0], Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow();
    }

    /** Deletes the caller's dead letters (only {@code function}'s, if given) and returns how many went. */
    long purgeDeadLetters(Optional<String> function) {
        Object purged = send(
                        "DELETE",
                        SPUR + "/dead-letters" + query(Map.of("function", function)),
                        null,
                        Map.of(),
                        CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json()
                .get("Purged");
        return purged instanceof Number n ? n.longValue() : 0;
    }

    /** Creates a schedule from its wire shape ({@code Name, ScheduleExpression, Target{Arn…}…}). */
    Map<String, Object> createSchedule(Map<String, Object> request) {
        return send("POST", SPUR + "/schedules", json(request), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Changes only the fields present in {@code request}. */
    Map<String, Object> updateSchedule(String name, Map<String, Object> request) {
        return send("PUT", SPUR + "/schedules/" + encode(name), json(request), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    Map<String, Object> getSchedule(String name) {
        return send("GET", SPUR + "/schedules/" + encode(name), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listSchedules() {
        return (List<Map<String, Object>>) send("GET", SPUR + "/schedules", null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json()
                .getOrDefault("Schedules", List.of());
    }

    void deleteSchedule(String name) {
        send("DELETE", SPUR + "/schedules/" + encode(name), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow();
    }

    /** Creates an HTTP API from its whole document ({@code Name, Cors, Throttle, Authorizers, Routes…}). */
    Map<String, Object> createApi(Map<String, Object> document) {
        return send("POST", SPUR + "/apis", json(document), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Replaces the whole document of API {@code id}: what the document leaves out goes. */
    Map<String, Object> replaceApi(String id, Map<String, Object> document) {
        return send("PUT", SPUR + "/apis/" + encode(id), json(document), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    Map<String, Object> getApi(String id) {
        return send("GET", SPUR + "/apis/" + encode(id), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listApis() {
        return (List<Map<String, Object>>) send("GET", SPUR + "/apis", null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json()
                .getOrDefault("Items", List.of());
    }

    /** Deletes an API; requests to it are answered 404 from then on. */
    void deleteApi(String id) {
        send("DELETE", SPUR + "/apis/" + encode(id), null, Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow();
    }

    /** Adds the route, or replaces the API's route with the same RouteKey; returns the whole API. */
    Map<String, Object> putRoute(String apiId, Map<String, Object> route) {
        return send("PUT", SPUR + "/apis/" + encode(apiId) + "/routes", json(route), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Removes the route with {@code routeKey}; returns the whole API. */
    Map<String, Object> deleteRoute(String apiId, String routeKey) {
        return send(
                        "DELETE",
                        SPUR + "/apis/" + encode(apiId) + "/routes" + query(Map.of("routeKey", Optional.of(routeKey))),
                        null,
                        Map.of(),
                        CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /**
     * One SQS operation over its JSON protocol ({@code X-Amz-Target: AmazonSQS.<operation>}), signed for
     * {@code sqs}; the answer, or the SQS error as a {@link CliException}.
     */
    Map<String, Object> sqs(String operation, Map<String, Object> input) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Amz-Target", "AmazonSQS." + operation);
        headers.put("Content-Type", "application/x-amz-json-1.0");
        return send("POST", "/", json(input), headers, CONTROL_READ_TIMEOUT_MS, "sqs")
                .orThrow()
                .json();
    }

    /**
     * One S3 request on a bucket path ({@code /}, {@code /<bucket>}, {@code /<bucket>?list-type=2…}),
     * signed for {@code s3} — with a placeholder key when no key is configured (a server with {@code
     * --auth none} accepts any signature; the scope is what routes the request to S3).
     *
     * @return the answer's body (S3's XML)
     * @throws CliException with S3's error code and message for a 4xx/5xx answer
     */
    String s3(String method, String path) {
        Signing s = signing.orElseGet(() -> new Signing(new Credential("spur", "spur", "000000000000"), "us-east-1"));
        URL url;
        try {
            url = URI.create(endpoint + path).toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("%s is not a valid endpoint URL (%s)", endpoint, e.getMessage());
        }
        Map<String, String> headers = new LinkedHashMap<>(sign(s, method, url, Map.of(), new byte[0], "s3"));
        Response res = send(method, path, null, headers, CONTROL_READ_TIMEOUT_MS, "none");
        String text = new String(res.body(), StandardCharsets.UTF_8);
        if (res.status() >= 400) {
            throw CliException.api(xmlText(text, "Code", "HTTP " + res.status()), xmlText(text, "Message", text));
        }
        return text;
    }

    /** The text of the first {@code <name>} element of an XML answer, or {@code otherwise}. */
    static String xmlText(String xml, String name, String otherwise) {
        int start = xml.indexOf("<" + name + ">");
        int end = xml.indexOf("</" + name + ">");
        return start < 0 || end < start ? otherwise : xml.substring(start + name.length() + 2, end);
    }

    /** {@code GET}, {@code POST}, … on Lambda's event-source mapping resource ({@code uuid} may be null). */
    Map<String, Object> mappings(String method, String uuid, String query, Map<String, Object> body) {
        String path = "/2015-03-31/event-source-mappings" + (uuid == null ? "/" : "/" + encode(uuid)) + query;
        return send(method, path, body == null ? null : json(body), Map.of(), CONTROL_READ_TIMEOUT_MS)
                .orThrow()
                .json();
    }

    /** Sends one request and reads the whole response, whatever its status. See the class comment. */
    private Response send(String method, String path, byte[] body, Map<String, String> headers, int readTimeoutMs) {
        return send(method, path, body, headers, readTimeoutMs, SERVICE);
    }

    private Response send(
            String method, String path, byte[] body, Map<String, String> headers, int readTimeoutMs, String service) {
        HttpURLConnection conn;
        URL url;
        try {
            url = URI.create(endpoint + path).toURL();
            conn = (HttpURLConnection) url.openConnection();
            conn.setRequestMethod(method);
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("%s is not a valid endpoint URL (%s)", endpoint, e.getMessage());
        }
        conn.setConnectTimeout(CONNECT_TIMEOUT_MS);
        conn.setReadTimeout(readTimeoutMs);
        conn.setRequestProperty("User-Agent", "spur-cli/0.1.0");
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (body != null) {
            conn.setDoOutput(true);
            conn.setFixedLengthStreamingMode(body.length);
            all.putIfAbsent("Content-Type", "application/json");
        }
        all.forEach(conn::setRequestProperty);
        if (!service.equals("none")) {
            signing.ifPresent(s -> sign(s, method, url, all, body, service).forEach(conn::setRequestProperty));
        }
        try {
            conn.connect();
        } catch (IOException e) {
            throw CliException.unreachable(endpoint, e);
        }
        try {
            if (body != null) {
                try (OutputStream out = conn.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = conn.getResponseCode();
            InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
            byte[] bytes;
            try (InputStream stream = in) {
                bytes = stream == null ? new byte[0] : stream.readAllBytes();
            }
            return new Response(status, conn.getHeaderFields(), bytes);
        } catch (IOException e) {
            throw CliException.connectionLost(endpoint, e);
        }
    }

    /**
     * The SigV4 headers for a request as HttpURLConnection will send it: signed are {@code Host} (as
     * it writes it: the port only when not the scheme's default) and the headers set here, not the
     * ones it adds itself (User-Agent is left out too, as a proxy may rewrite it).
     */
    private Map<String, String> sign(
            Signing s, String method, URL url, Map<String, String> headers, byte[] body, String service) {
        String host = url.getPort() == -1 || url.getPort() == url.getDefaultPort()
                ? url.getHost()
                : url.getHost() + ":" + url.getPort();
        List<Map.Entry<String, String>> signed = new ArrayList<>(headers.size() + 1);
        signed.add(Map.entry("Host", host));
        signed.addAll(headers.entrySet());
        return SigV4Signer.sign(
                method,
                url.getPath().isEmpty() ? "/" : url.getPath(),
                url.getQuery(),
                signed,
                body == null ? new byte[0] : body,
                s.key(),
                s.region(),
                service,
                clock.instant());
    }

    private static byte[] json(Map<String, Object> value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode request", e);
        }
    }

    /** A function name or ARN as one path segment ({@code :} stays readable; Spur decodes either). */
    private static String segment(String name) {
        return encode(name).replace("%3A", ":");
    }

    /** {@code ?k=v&…} of the present values, or empty; keys in a fixed order so requests are reproducible. */
    private static String query(Map<String, Optional<?>> params) {
        StringBuilder query = new StringBuilder();
        params.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> e.getValue()
                        .ifPresent(v -> query.append(query.isEmpty() ? "?" : "&")
                                .append(e.getKey())
                                .append('=')
                                .append(encode(v.toString()))));
        return query.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sign every request with {@code key} for {@code region}; the key's account plays no part. */
    record Signing(Credential key, String region) {}

    /** What a synchronous Invoke returned; {@code logTail} is the decoded last 4 KB of the function's log. */
    record Invocation(byte[] payload, Optional<String> functionError, Optional<String> logTail) {}

    record FunctionPage(List<Map<String, Object>> functions, Optional<String> nextMarker) {}

    record DeadLetterPage(List<Map<String, Object>> deadLetters, Optional<String> nextAfter) {}

    /** {@code next} is where the following read should start. */
    record LogChunk(String text, long next) {}

    private record Response(int status, Map<String, List<String>> headers, byte[] body) {
        Optional<String> header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null
                        && e.getKey().equalsIgnoreCase(name)
                        && !e.getValue().isEmpty()) {
                    return Optional.of(e.getValue().getFirst());
                }
            }
            return Optional.empty();
        }

        Optional<String> errorType() {
            return status >= 400
                    ? header("x-amzn-ErrorType")
                            .map(t -> t.split(":", 2)[0])
                            .or(() -> header("x-amzn-query-error").map(t -> t.split(";", 2)[0]))
                    : Optional.empty();
        }

        /** This response, or the API error it carries as a {@link CliException}. */
        Response orThrow() {
            if (status < 400) {
                return this;
            }
            String text = new String(body, StandardCharsets.UTF_8);
            String message;
            try {
                message = String.valueOf(parseObject(text).getOrDefault("message", text));
            } catch (IllegalArgumentException notJson) {
                message = text.isBlank() ? "(no message)" : text.strip();
            }
            if (message.length() > 500) {
                message = message.substring(0, 500) + "…";
            }
            throw CliException.api(errorType().orElse("HTTP " + status), message);
        }

        Map<String, Object> json() {
            try {
                return parseObject(new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw CliException.api(
                        "MalformedResponse", "Spur answered with a body that is not JSON: " + e.getMessage());
            }
        }
    }

    /** A JSON object as maps, lists, strings, numbers and booleans; IllegalArgumentException if it is not one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        try {
            Object value = Json.MAPPER.readValue(text, Object.class);
            if (value instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("not a JSON object");
    }
}
