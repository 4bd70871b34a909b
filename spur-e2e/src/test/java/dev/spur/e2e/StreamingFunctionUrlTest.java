package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.InvokeMode;

/**
 * Function URLs with {@code InvokeMode RESPONSE_STREAM}, read with {@code curl -N}: the handler's
 * {@code awslambda.HttpResponseStream.from} prelude sets the status, headers and cookies, and the body
 * reaches curl as the handler writes it. Deterministic: the handler writes its last chunk only after the
 * test, having seen the first chunk in curl's output, answers the handler's call to a gate.
 */
@SpurTest
class StreamingFunctionUrlTest {
    static final String APP = """
            export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
              const http = awslambda.HttpResponseStream.from(responseStream, {
                statusCode: 201,
                headers: { 'content-type': 'text/plain', 'x-streamed': 'yes' },
                cookies: ['flavour=oat; Path=/'],
              });
              http.write('first chunk\\n');
              const gate = event.queryStringParameters?.gate;
              if (gate) {
                await fetch(gate); // answered only once the test has seen the first chunk
              }
              http.write('last chunk\\n');
              http.end();
            });
            """;

    static Spur spur;
    static CreateFunctionUrlConfigResponse url;

    final CountDownLatch gateCalled = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    HttpServer gate;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        Tools.node();
        Tools.curl();
        String name = spur.deploy(
                "surl",
                FunctionPackage.node(
                        "nodejs20.x", "index.handler", Zips.create().text("index.mjs", APP)),
                b -> b.timeout(30));
        url = spur.lambda()
                .createFunctionUrlConfig(b ->
                        b.functionName(name).authType(FunctionUrlAuthType.NONE).invokeMode(InvokeMode.RESPONSE_STREAM));
    }

    @AfterEach
    void stopGate() {
        release.countDown();
        if (gate != null) {
            gate.stop(0);
        }
    }

    private String openGate() throws Exception {
        gate = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gate.createContext("/gate", exchange -> {
            gateCalled.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        gate.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        gate.start();
        return "http://127.0.0.1:" + gate.getAddress().getPort() + "/gate";
    }

    @Test
    void theInvokeModeIsEchoed() {
        assertThat(url.invokeMode()).isEqualTo(InvokeMode.RESPONSE_STREAM);
        assertThat(spur.lambda()
                        .getFunctionUrlConfig(b -> b.functionName(url.functionArn()))
                        .invokeMode())
                .isEqualTo(InvokeMode.RESPONSE_STREAM);
    }

    @Test
    void curlSeesTheFirstChunkBeforeTheLastIsProduced() throws Exception {
        String target = url.functionUrl() + "?gate=" + openGate();
        Process curl = new ProcessBuilder(Tools.curl().toString(), "-N", "-sS", "-i", "--max-time", "60", target)
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("first chunk")) {
                lines.add(line);
            }
            assertThat(line).as("curl's output so far: " + lines).isEqualTo("first chunk");
            // curl has the first chunk while the handler is still waiting to write the last
            assertThat(gateCalled.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(release.getCount()).isEqualTo(1);
            release.countDown();
            assertThat(out.readLine()).isEqualTo("last chunk");
            assertThat(out.readLine()).isNull();
        }
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines.getFirst()).startsWith("HTTP/1.1 201");
        assertThat(lines).anySatisfy(h -> assertThat(h.toLowerCase()).isEqualTo("x-streamed: yes"));
        assertThat(lines).anySatisfy(h -> assertThat(h.toLowerCase()).startsWith("set-cookie: flavour=oat"));
        assertThat(lines).anySatisfy(h -> assertThat(h.toLowerCase()).isEqualTo("transfer-encoding: chunked"));
        assertThat(lines).anySatisfy(h -> assertThat(h.toLowerCase()).startsWith("x-amzn-requestid: "));
    }

    @Test
    void withoutAGateTheWholeStreamedBodyArrives() throws Exception {
        Curl r = Curl.run(dir, url.functionUrl());
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("first chunk\nlast chunk\n");
        assertThat(r.header("content-type")).isEqualTo("text/plain");
    }
}
