package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * HTTP APIs for the gateway tests: deploying their python functions, managing APIs through
 * {@code /spur/v1/apis}, calling them by path ({@code /gw/<id>/…}) with the JDK's client, and reading
 * their access logs.
 */
final class Apis implements AutoCloseable {
    /**
     * Echoes the event (2.0 as inferred JSON, 1.0 wrapped in a structured response); the {@code x-mode}
     * header picks another answer. Every call is recorded as a JSON line in {@code RECORD_FILE}.
     */
    static final String ECHO = """
            import base64, json, os, time

            def handler(event, context):
                with open(os.environ["RECORD_FILE"], "a") as f:
                    f.write(json.dumps({"id": context.aws_request_id, "event": event}) + "\\n")
                headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
                mode = headers.get("x-mode", "echo")
                v1 = event.get("version") == "1.0"
                if mode == "binary":
                    return {"statusCode": 200, "isBase64Encoded": True, "body": event["body"],
                            "headers": {"content-type": "image/png",
                                        "x-received-base64": str(event["isBase64Encoded"]).lower()}}
                if mode == "structured" and v1:
                    return {"statusCode": 202, "headers": {"x-single": "s", "x-both": "from-headers"},
                            "multiValueHeaders": {"x-multi": ["one", "two"], "x-both": ["from-multi"]},
                            "body": "accepted"}
                if mode == "structured":
                    return {"statusCode": 201, "headers": {"x-custom": "custom-value", "content-type": "text/plain"},
                            "cookies": ["a=1; Path=/", "b=2"], "body": "created"}
                if mode == "malformed":
                    return {"statusCode": "oops"}
                if mode == "raise":
                    raise ValueError("failing on purpose")
                if mode == "sleep":
                    time.sleep(2)
                    return {"slept": True}
                if v1:
                    return {"statusCode": 200, "headers": {"content-type": "application/json"},
                            "body": json.dumps(event)}
                return event
            """;

    /** A deployed python function and the file its calls are recorded in. */
    record Function(String name, Path record) {
        /** The events recorded so far, one per invocation. */
        List<JsonNode> events() {
            return Recorder.lines(record).stream().map(l -> l.get("event")).toList();
        }
    }

    final Spur spur;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    Apis(Spur spur) {
        this.spur = spur;
    }

    /** Deploys {@code code} as {@code app.py} (python3.12, handler {@code app.handler}, 10 s timeout). */
    Function deploy(String prefix, String code) {
        Tools.python();
        String name = Spur.uniqueName(prefix);
        Path record = spur.dataDir().resolve("record-" + name + ".jsonl");
        spur.create(
                name,
                FunctionPackage.python(code),
                b -> b.timeout(10).environment(e -> e.variables(Map.of("RECORD_FILE", record.toString()))));
        return new Function(name, record);
    }

    /** Creates an API from its JSON document and returns the 201 answer's body. */
    JsonNode create(String document) {
        Spur.Answer a = spur.spurApi("POST", "/spur/v1/apis", document);
        assertThat(a.status()).as("create API: %s", a.body()).isEqualTo(201);
        return a.body();
    }

    /** A request by path, {@code http://127.0.0.1:<port>/gw/<apiId><pathAndQuery>}; headers as name, value pairs. */
    HttpResponse<byte[]> call(String apiId, String method, String pathAndQuery, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(apiId, pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String apiId, String pathAndQuery, String... headers) {
        return call(apiId, "GET", pathAndQuery, null, headers);
    }

    URI uri(String apiId, String pathAndQuery) {
        return URI.create(spur.endpoint() + "/gw/" + apiId + pathAndQuery);
    }

    /** The query of the sample request: a repeated name and an escaped space. */
    static final String SAMPLE_QUERY = "a=1&b=two%20words&a=2";

    /** Headers of a sample request: mixed case, and two cookies in one header. */
    static final String[] SAMPLE_HEADERS = {"X-Mixed-Case", "Value", "Cookie", "c1=v1; c2=v2"};

    /**
     * Checks that a payload 2.0 event (a gateway's or a function URL's) carries the sample request,
     * sent to {@code rawPath} with {@link #SAMPLE_QUERY} and {@link #SAMPLE_HEADERS}, as matched by {@code routeKey}.
     */
    static void assertCarriesTheSampleRequest(JsonNode event, String routeKey, String rawPath) {
        assertThat(event.get("version").asText()).isEqualTo("2.0");
        assertThat(event.get("routeKey").asText()).isEqualTo(routeKey);
        assertThat(event.get("rawPath").asText()).isEqualTo(rawPath);
        assertThat(event.get("rawQueryString").asText()).isEqualTo(SAMPLE_QUERY);
        assertThat(event.get("queryStringParameters").get("a").asText()).isEqualTo("1,2");
        assertThat(event.get("queryStringParameters").get("b").asText()).isEqualTo("two words");
        assertThat(Json.MAPPER.convertValue(event.get("cookies"), String[].class))
                .containsExactly("c1=v1", "c2=v2");
        assertThat(event.get("headers").get("x-mixed-case").asText()).isEqualTo("Value");
        event.get("headers").fieldNames().forEachRemaining(h -> assertThat(h).isEqualTo(h.toLowerCase(Locale.ROOT)));
        assertThat(event.get("headers").has("cookie")).isFalse();
    }

    /** The body of a 200 answer as JSON (the status is checked, with the body in the message). */
    static JsonNode ok(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).as("%s: %s", r.uri(), text(r)).isEqualTo(200);
        return json(r.body());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static JsonNode json(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API's access-log lines so far. */
    List<JsonNode> accessLog(String apiId) {
        Path file = spur.dataDir().resolve("logs").resolve("apis").resolve(apiId + ".log");
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isEmpty())
                    .map(l -> json(l.getBytes(StandardCharsets.UTF_8)))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls the access log until {@code done} holds (the line is written just after the answer). */
    List<JsonNode> awaitAccessLog(String apiId, String what, Predicate<List<JsonNode>> done) {
        return Await.await(what + " in the access log", Duration.ofSeconds(10), () -> accessLog(apiId), done);
    }

    /** The access-log line of one request, by its {@code apigw-requestid}. */
    JsonNode accessLine(String apiId, HttpResponse<byte[]> r) {
        String id = r.headers().firstValue("apigw-requestid").orElseThrow();
        return awaitAccessLog(
                        apiId,
                        "line " + id,
                        ls -> ls.stream()
                                .anyMatch(l -> l.get("requestId").asText().equals(id)))
                .stream()
                .filter(l -> l.get("requestId").asText().equals(id))
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void close() {
        http.close();
    }
}
