package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.Zips;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamCompleteEvent;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponse;
import software.amazon.awssdk.services.lambda.model.InvokeWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * {@code InvokeWithResponseStream} end to end: a Node.js handler wrapped in
 * {@code awslambda.streamifyResponse} streams through Spur's runtime client, Runtime API and edge, and
 * the AWS SDK for Java v2 decodes Spur's event-stream frames ({@code PayloadChunk} …
 * {@code InvokeComplete}) as they arrive.
 */
@SpurTest
class ResponseStreamingTest {
    static final String APP = """
            import { pipeline } from 'node:stream/promises';
            import { Readable } from 'node:stream';

            const pause = (ms) => new Promise((r) => setTimeout(r, ms));

            export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
              responseStream.setContentType('text/plain');
              if (event.mode === 'fail') {
                responseStream.write('partial\\n');
                await pause(20);
                throw new TypeError('broke mid-stream');
              }
              if (event.mode === 'failFirst') {
                throw new RangeError('broke before any byte');
              }
              if (event.mode === 'hang') {
                responseStream.write('before the deadline\\n');
                await pause(60000);
              }
              if (event.mode === 'pipeline') {
                await pipeline(Readable.from(['a', 'b', 'c'].map((s) => s.repeat(100000))), responseStream);
                return;
              }
              for (let i = 0; i < event.chunks; i++) {
                if (i > 0) {
                  await pause(event.delayMs);
                }
                console.log('writing chunk', i);
                responseStream.write(`chunk ${i} written at ${Date.now()}\\n`);
              }
              responseStream.end();
            });
            """;

    static final String BUFFERED = """
            export const handler = async (event) => ({ buffered: true, got: event.n });
            """;

    static Spur spur;
    static LambdaAsyncClient async;
    static String streaming;

    @BeforeAll
    static void start() {
        Tools.node();
        streaming = spur.deploy(
                "stream",
                FunctionPackage.node(
                        "nodejs20.x", "index.handler", Zips.create().text("index.mjs", APP)),
                b -> b.timeout(3));
        async = LambdaAsyncClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDE2E", "secret")))
                .overrideConfiguration(
                        c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    @AfterAll
    static void stop() {
        if (async != null) {
            async.close();
        }
    }

    /** What one InvokeWithResponseStream call received, in order, with each chunk's arrival time. */
    record Received(
            InvokeWithResponseStreamResponse response,
            List<String> chunks,
            List<Long> arrivals,
            InvokeWithResponseStreamCompleteEvent complete) {
        String body() {
            return String.join("", chunks);
        }
    }

    static Received invoke(String function, String payload, String logType) throws Exception {
        List<String> chunks = Collections.synchronizedList(new ArrayList<>());
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<InvokeWithResponseStreamCompleteEvent> complete = new AtomicReference<>();
        AtomicReference<InvokeWithResponseStreamResponse> response = new AtomicReference<>();
        InvokeWithResponseStreamResponseHandler handler = InvokeWithResponseStreamResponseHandler.builder()
                .onResponse(response::set)
                .subscriber(InvokeWithResponseStreamResponseHandler.Visitor.builder()
                        .onPayloadChunk(c -> {
                            arrivals.add(System.currentTimeMillis());
                            chunks.add(c.payload().asUtf8String());
                        })
                        .onInvokeComplete(complete::set)
                        .build())
                .build();
        async.invokeWithResponseStream(
                        b -> {
                            b.functionName(function).payload(SdkBytes.fromUtf8String(payload));
                            if (logType != null) {
                                b.logType(logType);
                            }
                        },
                        handler)
                .get(60, TimeUnit.SECONDS);
        return new Received(response.get(), List.copyOf(chunks), List.copyOf(arrivals), complete.get());
    }

    @Test
    void chunksArriveAsTheHandlerWritesThemAndTheStreamEndsWithInvokeComplete() throws Exception {
        Received r = invoke(streaming, "{\"chunks\":4,\"delayMs\":150}", "Tail");
        assertThat(r.response().statusCode()).isEqualTo(200);
        assertThat(r.response().responseStreamContentType()).isEqualTo("application/vnd.amazon.eventstream");
        assertThat(r.response().executedVersion()).isEqualTo("$LATEST");
        List<String> lines = r.body().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.getFirst()).startsWith("chunk 0 written at ");
        long lastWrite =
                Long.parseLong(lines.getLast().substring(lines.getLast().lastIndexOf(' ') + 1));
        // the first chunk reached the client before the handler wrote its last one: nothing buffered the stream
        assertThat(r.arrivals().getFirst()).isLessThan(lastWrite);
        assertThat(r.chunks().size()).isGreaterThanOrEqualTo(2);
        assertThat(r.complete()).isNotNull();
        assertThat(r.complete().errorCode()).isNull();
        String tail = new String(Base64.getDecoder().decode(r.complete().logResult()), StandardCharsets.UTF_8);
        assertThat(tail).contains("writing chunk 3").contains("REPORT RequestId:");
    }

    @Test
    void aMidStreamErrorReachesTheCallerAsInvokeCompletesErrorCode() throws Exception {
        Received r = invoke(streaming, "{\"mode\":\"fail\"}", null);
        assertThat(r.body()).isEqualTo("partial\n");
        assertThat(r.complete().errorCode()).isEqualTo("TypeError");
        assertThat(r.complete().errorDetails()).isEqualTo("broke mid-stream");
    }

    @Test
    void anErrorBeforeAnyByteEndsTheStreamWithNoChunk() throws Exception {
        Received r = invoke(streaming, "{\"mode\":\"failFirst\"}", null);
        assertThat(r.chunks()).isEmpty();
        assertThat(r.complete().errorCode()).isEqualTo("RangeError");
        assertThat(r.complete().errorDetails()).isEqualTo("broke before any byte");
    }

    @Test
    void theTimeoutCutsTheStream() throws Exception {
        Received r = invoke(streaming, "{\"mode\":\"hang\"}", null);
        assertThat(r.body()).isEqualTo("before the deadline\n");
        assertThat(r.complete().errorCode()).isEqualTo("Sandbox.Timedout");
        assertThat(r.complete().errorDetails()).contains("Task timed out after 3.00 seconds");
    }

    @Test
    void pipelineFromNodeStreamWorks() throws Exception {
        Received r = invoke(streaming, "{\"mode\":\"pipeline\"}", null);
        assertThat(r.body()).isEqualTo("a".repeat(100000) + "b".repeat(100000) + "c".repeat(100000));
        assertThat(r.complete().errorCode()).isNull();
    }

    @Test
    void aBufferedAnswerArrivesAsOnePayloadChunk() throws Exception {
        String buffered = spur.deploy(
                "buffered",
                FunctionPackage.node(
                        "nodejs20.x", "index.handler", Zips.create().text("index.mjs", BUFFERED)));
        Received r = invoke(buffered, "{\"n\":7}", null);
        assertThat(r.chunks()).containsExactly("{\"buffered\":true,\"got\":7}");
        assertThat(r.complete().errorCode()).isNull();
    }

    @Test
    void aStreamedAnswerToAnOrdinaryInvokeIsBuffered() {
        InvokeResponse r = spur.invoke(streaming, Map.of("chunks", 3, "delayMs", 10));
        assertThat(r.functionError()).isNull();
        assertThat(r.payload().asUtf8String().lines()).hasSize(3);
    }

    @Test
    void errorsBeforeTheStreamStartsAreLambdasOrdinaryErrors() {
        assertThatThrownBy(() -> invoke("no-such-function", "{}", null))
                .hasCauseInstanceOf(ResourceNotFoundException.class);
    }
}
