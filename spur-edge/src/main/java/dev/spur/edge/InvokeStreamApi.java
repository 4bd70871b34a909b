package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.common.RequestIds;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import dev.spur.pools.ResponseSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda's {@code InvokeWithResponseStream} ({@code POST /2021-11-15/functions/{name}/response-streaming-invocations}):
 * the invoke path ({@link Invoker#invokeStreaming}) with the answer framed as AWS's event stream
 * ({@link EventStreamFrames}): 200 {@code application/vnd.amazon.eventstream}, a {@code PayloadChunk} event
 * for each piece the runtime streams, as it arrives, then one {@code InvokeComplete} event
 * ({@code ErrorCode}, {@code ErrorDetails}, {@code LogResult}).
 *
 * <p>A runtime that answers buffered: its answer is one {@code PayloadChunk}, as Lambda sends it. A
 * function error — before or during the stream, a timeout, the 200 MB limit — ends the stream with
 * {@code InvokeComplete} whose {@code ErrorCode} is the error document's {@code errorType} and
 * {@code ErrorDetails} its {@code errorMessage}. Errors before anything was streamed (no such function,
 * a throttle, bad input) are Lambda's ordinary error responses.
 *
 * <p>Failure semantics: as Invoke's; a client that goes away mid-stream does not stop the function.
 */
final class InvokeStreamApi implements EdgeApi {
    static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

    private final Invoker invoker;
    private final Authentication auth;

    InvokeStreamApi(Invoker invoker, Authentication auth) {
        this.invoker = invoker;
        this.auth = auth;
    }

    @Override
    public void register(Router router) {
        router.add("POST", "/2021-11-15/functions/{name}/response-streaming-invocations", this::invoke);
    }

    private void invoke(Exchange x) {
        String requestId = RequestIds.next();
        Frames frames = new Frames(x.byteStream(), requestId);
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
                    requestId,
                    x.header("X-Amzn-Trace-Id"));
            InvokeResult result = invoker.invokeStreaming(command, frames);
            if (result.status() == 204) { // DryRun
                Map<String, String> headers = new LinkedHashMap<>(2);
                headers.put("x-amzn-RequestId", requestId);
                headers.put("X-Amz-Executed-Version", result.executedVersion());
                x.send(204, headers, "application/json", null);
                return;
            }
            frames.complete(result);
        } catch (Throwable t) {
            if (!frames.stream.started()) {
                WireErrors.send(x, requestId, t);
            } else {
                frames.fail(t);
            }
        }
    }

    /** The event stream of one response; the relay's thread writes chunks, then this request's thread ends it. */
    private static final class Frames implements ResponseSink {
        private final ByteStream stream;
        private final String requestId;
        private boolean began;
        private volatile String version;

        Frames(ByteStream stream, String requestId) {
            this.stream = stream;
            this.requestId = requestId;
        }

        private void start() {
            if (!stream.started()) {
                List<Map.Entry<String, String>> headers = new ArrayList<>(2);
                headers.add(Map.entry("x-amzn-RequestId", requestId));
                headers.add(Map.entry("Content-Type", CONTENT_TYPE));
                if (version != null) {
                    headers.add(Map.entry("X-Amz-Executed-Version", version));
                }
                stream.start(200, headers);
            }
        }

        @Override
        public void executedVersion(String executedVersion) {
            version = executedVersion;
        }

        @Override
        public void begin(Optional<String> contentType) {
            began = true;
            start();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            stream.write(EventStreamFrames.event("PayloadChunk", "application/octet-stream", bytes, offset, length));
        }

        /** After the invocation: a buffered answer as one chunk, then InvokeComplete. */
        void complete(InvokeResult result) throws IOException {
            start();
            ObjectNode done = Json.MAPPER.createObjectNode();
            if (result.functionError().isPresent()) {
                JsonNode error = errorDocument(result.payload());
                done.put("ErrorCode", error.path("errorType").asText("Unhandled"));
                done.put("ErrorDetails", error.path("errorMessage").asText(""));
            } else if (!began && result.payload().length > 0) {
                write(result.payload(), 0, result.payload().length);
            }
            result.logResult().ifPresent(tail -> done.put("LogResult", tail));
            send(done);
        }

        /** Spur failed after the stream started: the stream still ends with InvokeComplete. */
        void fail(Throwable t) {
            ObjectNode done = Json.MAPPER.createObjectNode();
            done.put("ErrorCode", "ServiceException");
            done.put(
                    "ErrorDetails",
                    "An internal error occurred; see the Spur server log for request " + requestId + ".");
            System.getLogger(InvokeStreamApi.class.getName())
                    .log(System.Logger.Level.ERROR, "streaming request " + requestId + " failed", t);
            try {
                send(done);
            } catch (IOException gone) {
                stream.close();
            }
        }

        private void send(ObjectNode done) throws IOException {
            byte[] json = done.toString().getBytes(StandardCharsets.UTF_8);
            stream.write(EventStreamFrames.event("InvokeComplete", "application/json", json, 0, json.length));
            stream.close();
        }

        private static JsonNode errorDocument(byte[] payload) {
            try {
                JsonNode node = Json.MAPPER.readTree(payload);
                return node == null ? Json.MAPPER.createObjectNode() : node;
            } catch (IOException e) {
                return Json.MAPPER.createObjectNode().put("errorMessage", new String(payload, StandardCharsets.UTF_8));
            }
        }
    }
}
