package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.model.Cors;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionUrlConfigResponse;

/**
 * Function URLs on Spur's own HTTP port, called with real HTTP clients (the JDK's, by path; curl, by the
 * host name CreateFunctionUrlConfig returned): payload-2.0 events, response mapping, CORS, qualifiers and
 * the URL configuration's lifecycle.
 */
@SpurTest
class FunctionUrlTest {
    static final String ORIGIN = "https://app.example";
    static final String APP = """
            import base64, os

            PNG = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(256))

            def handler(event, context):
                path = event["rawPath"]
                print("HANDLED %s %s" % (event["requestContext"]["http"]["method"], path), flush=True)
                if path == "/echo":
                    return event
                if path == "/structured":
                    return {"statusCode": 201, "headers": {"x-custom": "custom-value", "content-type": "text/plain"},
                            "cookies": ["a=1; Path=/", "b=2"], "body": "created"}
                if path == "/binary":
                    return {"statusCode": 200, "headers": {"content-type": "image/png"},
                            "isBase64Encoded": True, "body": base64.b64encode(PNG).decode()}
                if path == "/version":
                    return {"env": os.environ["AWS_LAMBDA_FUNCTION_VERSION"], "context": context.function_version}
                if path == "/fail":
                    raise RuntimeError("failing on purpose")
                if path == "/bad":
                    return {"statusCode": "oops"}
                return {"statusCode": 404, "body": "no route " + path}
            """;

    static Spur spur;

    @AutoClose
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    static String name;
    static CreateFunctionUrlConfigResponse url;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        Tools.python();
        name = deploy();
        url = spur.lambda()
                .createFunctionUrlConfig(b -> b.functionName(name)
                        .authType(FunctionUrlAuthType.NONE)
                        .cors(Cors.builder()
                                .allowOrigins(ORIGIN)
                                .allowMethods("GET", "POST")
                                .maxAge(300)
                                .build()));
    }

    static String deploy() {
        return spur.deploy("url", FunctionPackage.python(APP), b -> b.timeout(10));
    }

    static String urlId(String functionUrl) {
        String host = URI.create(functionUrl).getHost();
        return host.substring(0, host.indexOf('.'));
    }

    /** {@code http://127.0.0.1:<port>/url/<id><path>}: the same URL addressed by path. */
    static URI byPath(String functionUrl, String pathAndQuery) {
        return URI.create(spur.endpoint() + "/url/" + urlId(functionUrl) + pathAndQuery);
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void eventCarriesTheRequestWhenAddressedByPath() throws Exception {
        HttpResponse<byte[]> r = get(byPath(url.functionUrl(), "/echo?" + Apis.SAMPLE_QUERY), Apis.SAMPLE_HEADERS);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode event = json(r);
        Apis.assertCarriesTheSampleRequest(event, "$default", "/echo");
        JsonNode context = event.get("requestContext");
        assertThat(context.get("http").get("method").asText()).isEqualTo("GET");
        assertThat(context.get("http").get("path").asText()).isEqualTo("/echo");
        assertThat(context.get("http").get("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(context.get("apiId").asText()).isEqualTo(urlId(url.functionUrl()));
        assertThat(context.get("domainPrefix").asText()).isEqualTo(urlId(url.functionUrl()));
        assertThat(context.get("requestId").asText())
                .isNotBlank()
                .isEqualTo(r.headers().firstValue("x-amzn-RequestId").orElseThrow());
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(event.has("body")).isFalse();
    }

    @Test
    void hostNameUrlFromTheApiWorksWithCurl() throws Exception {
        URI functionUrl = URI.create(url.functionUrl());
        assertThat(functionUrl.getHost()).matches("[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost");
        assertThat(functionUrl.getPort()).isEqualTo(URI.create(spur.endpoint()).getPort());
        assertThat(url.functionUrl()).endsWith("/");

        Curl r = curl(url.functionUrl() + "echo?x=1&x=2", "-H", "Cookie: k=v", "-H", "X-Trace: abc");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode event = Json.MAPPER.readTree(r.body());
        assertThat(event.get("rawPath").asText()).isEqualTo("/echo");
        assertThat(event.get("rawQueryString").asText()).isEqualTo("x=1&x=2");
        assertThat(event.get("queryStringParameters").get("x").asText()).isEqualTo("1,2");
        assertThat(Json.MAPPER.convertValue(event.get("cookies"), String[].class))
                .containsExactly("k=v");
        assertThat(event.get("headers").get("x-trace").asText()).isEqualTo("abc");
        assertThat(event.get("headers").get("user-agent").asText()).startsWith("curl/");
        JsonNode context = event.get("requestContext");
        assertThat(context.get("domainName").asText()).isEqualTo(functionUrl.getAuthority());
        assertThat(context.get("domainPrefix").asText()).isEqualTo(urlId(url.functionUrl()));
        assertThat(context.get("http").get("userAgent").asText()).startsWith("curl/");
        assertThat(context.get("requestId").asText()).isEqualTo(r.header("x-amzn-RequestId"));

        Curl structured = curl(url.functionUrl() + "structured");
        assertThat(structured.status()).isEqualTo(201);
        assertThat(structured.headers("set-cookie")).containsExactly("a=1; Path=/", "b=2");
        assertThat(structured.body()).isEqualTo("created");
    }

    @Test
    void binaryRequestBodyRoundTripsAsBase64() throws Exception {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(byPath(url.functionUrl(), "/echo"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        JsonNode event = json(r);
        assertThat(event.get("requestContext").get("http").get("method").asText())
                .isEqualTo("POST");
        assertThat(event.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(event.get("body").asText())).isEqualTo(bytes);

        HttpResponse<byte[]> text = send(HttpRequest.newBuilder(byPath(url.functionUrl(), "/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":\"é\"}")));
        JsonNode textEvent = json(text);
        assertThat(textEvent.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(textEvent.get("body").asText()).isEqualTo("{\"k\":\"é\"}");
    }

    @Test
    void structuredResponseSetsStatusCookiesAndHeaders() throws Exception {
        HttpResponse<byte[]> r = get(byPath(url.functionUrl(), "/structured"));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("set-cookie")).containsExactly("a=1; Path=/", "b=2");
        assertThat(r.headers().firstValue("x-custom")).hasValue("custom-value");
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("created");
    }

    @Test
    void binaryResponseBytesAreExact() throws Exception {
        HttpResponse<byte[]> r = get(byPath(url.functionUrl(), "/binary"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
        byte[] png = new byte[8 + 256];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, png, 0, 8);
        for (int i = 0; i < 256; i++) {
            png[8 + i] = (byte) i;
        }
        assertThat(r.body()).isEqualTo(png);
    }

    @Test
    void raisingOrMalformedResponseIsBadGateway() throws Exception {
        for (String path : List.of("/fail", "/bad")) {
            HttpResponse<byte[]> r = get(byPath(url.functionUrl(), path));
            assertThat(r.statusCode()).as(path).isEqualTo(502);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).as(path).isEqualTo("Internal Server Error");
            assertThat(r.headers().firstValue("x-amzn-RequestId")).as(path).isPresent();
        }
    }

    @Test
    void corsPreflightIsAnsweredWithoutInvokingTheFunction() throws Exception {
        String marker = UUID.randomUUID().toString();
        HttpResponse<byte[]> preflight = send(HttpRequest.newBuilder(byPath(url.functionUrl(), "/preflight-" + marker))
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("access-control-allow-origin"))
                .hasValue(ORIGIN);
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("300");
        assertThat(preflight
                        .headers()
                        .firstValue("access-control-allow-methods")
                        .orElseThrow())
                .contains("POST");
        assertThat(preflight.body()).isEmpty();

        HttpResponse<byte[]> strangerPreflight =
                send(HttpRequest.newBuilder(byPath(url.functionUrl(), "/preflight-" + marker))
                        .header("Origin", "https://evil.example")
                        .header("Access-Control-Request-Method", "POST")
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(strangerPreflight.statusCode()).isEqualTo(200);
        assertThat(strangerPreflight.headers().firstValue("access-control-allow-origin"))
                .isEmpty();

        HttpResponse<byte[]> allowed = get(byPath(url.functionUrl(), "/after-" + marker), "Origin", ORIGIN);
        assertThat(allowed.statusCode()).isEqualTo(404);
        assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
        HttpResponse<byte[]> stranger = get(byPath(url.functionUrl(), "/echo"), "Origin", "https://evil.example");
        assertThat(stranger.statusCode()).isEqualTo(200);
        assertThat(stranger.headers().firstValue("access-control-allow-origin")).isEmpty();

        // The function logs every request it handles, in order: once the later GET is in the log,
        // a preflight that had reached the function would be there too.
        String log = awaitLog("HANDLED GET /after-" + marker);
        assertThat(log).doesNotContain("/preflight-" + marker);
    }

    @Test
    void urlOnAnAliasInvokesTheAliasVersion() throws Exception {
        String fn = deploy();
        assertThat(spur.lambda().publishVersion(b -> b.functionName(fn)).version())
                .isEqualTo("1");
        spur.lambda().createAlias(b -> b.functionName(fn).name("prod").functionVersion("1"));
        CreateFunctionUrlConfigResponse aliasUrl = spur.lambda()
                .createFunctionUrlConfig(
                        b -> b.functionName(fn).qualifier("prod").authType(FunctionUrlAuthType.NONE));
        assertThat(aliasUrl.functionArn()).endsWith(":function:" + fn + ":prod");
        CreateFunctionUrlConfigResponse latestUrl =
                spur.lambda().createFunctionUrlConfig(b -> b.functionName(fn).authType(FunctionUrlAuthType.NONE));
        assertThat(latestUrl.functionUrl()).isNotEqualTo(aliasUrl.functionUrl());

        JsonNode viaAlias = json(get(byPath(aliasUrl.functionUrl(), "/version")));
        assertThat(viaAlias.get("env").asText()).isEqualTo("1");
        assertThat(viaAlias.get("context").asText()).isEqualTo("1");
        Curl viaAliasHost = curl(aliasUrl.functionUrl() + "version");
        assertThat(Json.MAPPER.readTree(viaAliasHost.body()).get("env").asText())
                .isEqualTo("1");
        JsonNode viaLatest = json(get(byPath(latestUrl.functionUrl(), "/version")));
        assertThat(viaLatest.get("env").asText()).isEqualTo("$LATEST");
        assertThat(spur.lambda().listFunctionUrlConfigs(b -> b.functionName(fn)).functionUrlConfigs())
                .extracting(c -> c.functionUrl())
                .containsExactlyInAnyOrder(aliasUrl.functionUrl(), latestUrl.functionUrl());
    }

    @Test
    void urlConfigLifecycleBehavesAsLambdas() throws Exception {
        String fn = deploy();
        CreateFunctionUrlConfigResponse created =
                spur.lambda().createFunctionUrlConfig(b -> b.functionName(fn).authType(FunctionUrlAuthType.NONE));
        assertThat(created.sdkHttpResponse().statusCode()).isEqualTo(201);
        assertThat(created.authType()).isEqualTo(FunctionUrlAuthType.NONE);
        assertThat(created.functionArn()).endsWith(":function:" + fn);
        assertThat(created.creationTime()).isNotBlank();
        assertThatThrownBy(() -> spur.lambda()
                        .createFunctionUrlConfig(b -> b.functionName(fn).authType(FunctionUrlAuthType.NONE)))
                .isInstanceOf(ResourceConflictException.class);

        GetFunctionUrlConfigResponse got = spur.lambda().getFunctionUrlConfig(b -> b.functionName(fn));
        assertThat(got.functionUrl()).isEqualTo(created.functionUrl());
        assertThat(got.cors()).isNull();
        assertThat(json(get(byPath(created.functionUrl(), "/echo")))
                        .get("rawPath")
                        .asText())
                .isEqualTo("/echo");

        UpdateFunctionUrlConfigResponse updated = spur.lambda()
                .updateFunctionUrlConfig(b ->
                        b.functionName(fn).cors(Cors.builder().allowOrigins("*").build()));
        assertThat(updated.functionUrl()).isEqualTo(created.functionUrl());
        assertThat(updated.creationTime()).isEqualTo(created.creationTime());
        assertThat(updated.cors().allowOrigins()).containsExactly("*");
        assertThat(get(byPath(created.functionUrl(), "/echo"), "Origin", ORIGIN)
                        .headers()
                        .firstValue("access-control-allow-origin"))
                .hasValue("*");
        assertThat(spur.lambda().listFunctionUrlConfigs(b -> b.functionName(fn)).functionUrlConfigs())
                .singleElement()
                .satisfies(c -> assertThat(c.functionUrl()).isEqualTo(created.functionUrl()));

        spur.lambda().deleteFunctionUrlConfig(b -> b.functionName(fn));
        assertThatThrownBy(() -> spur.lambda().getFunctionUrlConfig(b -> b.functionName(fn)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> spur.lambda().deleteFunctionUrlConfig(b -> b.functionName(fn)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(spur.lambda().listFunctionUrlConfigs(b -> b.functionName(fn)).functionUrlConfigs())
                .isEmpty();
        HttpResponse<byte[]> gone = get(byPath(created.functionUrl(), "/echo"));
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(curl(created.functionUrl() + "echo").status()).isEqualTo(404);
    }

    @Test
    void unknownUrlIdIsNotFound() throws Exception {
        HttpResponse<byte[]> r = get(URI.create(spur.endpoint() + "/url/" + "0".repeat(32) + "/echo"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
        int port = URI.create(spur.endpoint()).getPort();
        assertThat(curl("http://" + "0".repeat(32) + ".lambda-url.us-east-1.localhost:" + port + "/")
                        .status())
                .isEqualTo(404);
    }

    /** Polls the function's log (Spur's log API) until it contains {@code line}; returns the log. */
    private static String awaitLog(String line) {
        return Await.await(
                "\"" + line + "\" in the function's log",
                Duration.ofSeconds(20),
                FunctionUrlTest::functionLog,
                log -> log.contains(line));
    }

    private static String functionLog() {
        try {
            return new String(
                    get(URI.create(spur.endpoint() + "/spur/v1/functions/" + name + "/logs"))
                            .body(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** curl, resolving {@code *.localhost} to the loopback itself, as it does without any resolver setup. */
    private Curl curl(String target, String... options) throws IOException, InterruptedException {
        return Curl.run(dir, target, options);
    }
}
