package dev.spur.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * SQS's API as a service with no HTTP server in it (as spur-gateway's services): a request's data in,
 * the response's data out. Both protocols: the JSON protocol ({@code X-Amz-Target: AmazonSQS.<Op>},
 * {@code application/x-amz-json-1.0}, current SDKs) and the query protocol (form-encoded {@code Action},
 * XML answers, AWS CLI v2 2.9). Query requests are translated to the JSON shapes ({@link QueryProtocol}),
 * so each operation ({@link SqsOperations}) is written once.
 *
 * <p>Errors: {@link SqsException}s in each protocol's shape — the query protocol's XML
 * {@code ErrorResponse}, the JSON protocol's {@code __type} plus the {@code x-amzn-query-error} header
 * that query-compatible clients map to the same exception. Anything else is a 500 whose detail stays in
 * the server log.
 */
public final class SqsService {
    private static final System.Logger LOG = System.getLogger(SqsService.class.getName());
    private static final String JSON_TYPE = "application/x-amz-json-1.0";
    private static final String TARGET_PREFIX = "AmazonSQS.";

    private final SqsOperations operations;

    private SqsService(Queues queues) {
        this.operations = new SqsOperations(queues);
    }

    public static SqsService create(Queues queues) {
        return new SqsService(queues);
    }

    /**
     * One request as the edge read it.
     *
     * @param endpoint  {@code http://host:port} as the client addressed this server (queue URLs start with it)
     * @param path      the request path (a query-protocol request may address its queue by URL path)
     * @param target    {@code X-Amz-Target}, or null
     * @param query     the raw query string, or null
     */
    public record Request(
            String account,
            String region,
            String endpoint,
            String path,
            String target,
            String contentType,
            String query,
            byte[] body) {
        public Request {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(endpoint, "endpoint");
            body = body == null ? new byte[0] : body;
        }

        /** Whether the client speaks the JSON protocol (errors must then be JSON too). */
        public boolean json() {
            return target != null && target.startsWith(TARGET_PREFIX);
        }
    }

    public record Response(int status, Map<String, String> headers, String contentType, byte[] body) {}

    /** Serves one request. Failure semantics: as the operation's; an error answer means nothing was changed. */
    public Response handle(Request request, String requestId) {
        try {
            if (request.json()) {
                String operation = request.target().substring(TARGET_PREFIX.length());
                JsonNode input = request.body().length == 0
                        ? Json.MAPPER.createObjectNode()
                        : Json.MAPPER.readTree(request.body());
                if (input == null || !input.isObject()) {
                    throw SqsException.of(
                            SqsException.Code.INVALID_PARAMETER_VALUE, "The request body must be a JSON object.");
                }
                JsonNode result = operations.run(operation, (ObjectNode) input, request);
                byte[] body = Json.MAPPER.writeValueAsBytes(result == null ? Json.MAPPER.createObjectNode() : result);
                return new Response(200, Map.of("x-amzn-RequestId", requestId), JSON_TYPE, body);
            }
            Map<String, String> params = new LinkedHashMap<>();
            QueryProtocol.decodeForm(request.query(), params);
            QueryProtocol.decodeForm(new String(request.body(), StandardCharsets.UTF_8), params);
            String action = params.get("Action");
            if (action == null) {
                throw SqsException.missing("Action");
            }
            ObjectNode input = QueryProtocol.toJson(params);
            if (!input.has("QueueUrl")
                    && request.path() != null
                    && request.path().split("/").length >= 3) {
                input.put("QueueUrl", request.endpoint() + request.path());
            }
            JsonNode result = operations.run(action, input, request);
            String xml = QueryProtocol.response(action, result, requestId);
            return new Response(
                    200, Map.of("x-amzn-RequestId", requestId), "text/xml", xml.getBytes(StandardCharsets.UTF_8));
        } catch (SqsException e) {
            return error(request, e, requestId);
        } catch (IOException e) {
            return error(
                    request,
                    SqsException.of(SqsException.Code.INVALID_PARAMETER_VALUE, "The request body is not valid JSON."),
                    requestId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(request, SqsException.internal("interrupted", e), requestId);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "SQS request " + requestId + " failed", e);
            return error(
                    request,
                    SqsException.internal(
                            "An internal error occurred; see the Spur server log for request " + requestId + ".", e),
                    requestId);
        }
    }

    /** An error in the request's protocol (also for the edge's own refusals: signatures, sizes). */
    public Response error(Request request, SqsException e, String requestId) {
        if (e.code() == SqsException.Code.INTERNAL && e.getCause() != null) {
            LOG.log(Level.ERROR, "SQS request " + requestId + " failed", e.getCause());
        }
        if (request.json()) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("__type", "com.amazonaws.sqs#" + e.shape());
            body.put("message", e.getMessage());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-amzn-RequestId", requestId);
            headers.put("x-amzn-query-error", e.queryCode() + ";" + (e.code().senderFault() ? "Sender" : "Receiver"));
            return new Response(
                    e.code().status(), headers, JSON_TYPE, body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return new Response(
                e.code().status(),
                Map.of("x-amzn-RequestId", requestId),
                "text/xml",
                QueryProtocol.error(e, requestId).getBytes(StandardCharsets.UTF_8));
    }
}
