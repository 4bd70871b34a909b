package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@code RESPONSE_STREAM} function URL's answer as the function streams it. With the content type
 * {@value #HTTP_INTEGRATION} (Node's {@code awslambda.HttpResponseStream.from}), the stream opens with a
 * JSON prelude — {@code statusCode}, {@code headers}, {@code cookies} — ended by 8 NUL bytes: it is held
 * until the delimiter arrives (at most {@value #MAX_PRELUDE} bytes, else the bytes so far are the body of a
 * 200), then becomes the status and headers; what follows is the body, passed on as it arrives. Any other
 * content type: 200 with that {@code Content-Type} (default {@code application/octet-stream}), and every
 * byte is body. The response starts when the runtime starts streaming, which Node's client does at the
 * handler's first write. One relay thread calls this; {@link #started} is read after the invocation.
 */
final class UrlStream implements FunctionInvoker.Stream {
    static final String HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
    private static final int DELIMITER = 8;
    private static final int MAX_PRELUDE = 64 * 1024;

    private final FunctionUrlService.HttpStream out;
    /** Adds what every response of the URL carries (CORS, request id) to the function's status and headers. */
    private final UnaryOperator<HttpResponseData> decorate;

    private ByteArrayOutputStream prelude;
    private int nulRun;
    private volatile boolean started;

    UrlStream(FunctionUrlService.HttpStream out, UnaryOperator<HttpResponseData> decorate) {
        this.out = out;
        this.decorate = decorate;
    }

    boolean started() {
        return started;
    }

    @Override
    public void begin(Optional<String> contentType) throws IOException {
        String type = contentType.orElse("application/octet-stream");
        if (type.equalsIgnoreCase(HTTP_INTEGRATION)) {
            prelude = new ByteArrayOutputStream();
            return;
        }
        start(new HttpResponseData(200, List.of(Map.entry("content-type", type)), new byte[0]));
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (prelude == null) {
            out.write(bytes, offset, length);
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            nulRun = bytes[i] == 0 ? nulRun + 1 : 0;
            if (nulRun == DELIMITER) {
                prelude.write(bytes, offset, i + 1 - offset);
                byte[] json = prelude.toByteArray();
                prelude = null;
                start(fromPrelude(json, json.length - DELIMITER));
                if (i + 1 < offset + length) {
                    out.write(bytes, i + 1, offset + length - i - 1);
                }
                return;
            }
        }
        prelude.write(bytes, offset, length);
        if (prelude.size() > MAX_PRELUDE) {
            byte[] held = prelude.toByteArray();
            prelude = null;
            start(new HttpResponseData(200, List.of(Map.entry("content-type", HTTP_INTEGRATION)), new byte[0]));
            out.write(held, 0, held.length);
        }
    }

    /** After the invocation: a prelude that never ended is sent as the body of a 200. */
    void finish() throws IOException {
        if (prelude != null) {
            byte[] held = prelude.toByteArray();
            prelude = null;
            start(new HttpResponseData(200, List.of(Map.entry("content-type", HTTP_INTEGRATION)), new byte[0]));
            out.write(held, 0, held.length);
        }
    }

    private void start(HttpResponseData head) throws IOException {
        started = true;
        HttpResponseData decorated = decorate.apply(head);
        out.start(decorated.status(), decorated.headers());
    }

    /** The prelude's status, headers and cookies, mapped as a payload-2.0 answer without a body; 502 if malformed. */
    private static HttpResponseData fromPrelude(byte[] json, int length) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json, 0, length);
        } catch (IOException e) {
            return ResponseMappingV2.badGateway();
        }
        if (!(root instanceof ObjectNode object)) {
            return ResponseMappingV2.badGateway();
        }
        ObjectNode head = object.deepCopy();
        head.remove("body");
        head.remove("isBase64Encoded");
        if (!head.has("statusCode")) {
            head.put("statusCode", 200);
        }
        HttpResponseData mapped;
        try {
            mapped = ResponseMappingV2.map(Json.MAPPER.writeValueAsBytes(head), false);
        } catch (IOException e) {
            return ResponseMappingV2.badGateway();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(mapped.headers());
        return new HttpResponseData(mapped.status(), headers, new byte[0]);
    }
}
