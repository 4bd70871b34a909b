package dev.spur.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading requests: the caller's account and region, typed fields out of JSON bodies, bounded body
 * reads. Every malformed input becomes a 400 naming the field; nothing here touches server state.
 */
final class RequestParsing {
    private static final Pattern CREDENTIAL_SCOPE =
            Pattern.compile("Credential=[^/,\\s]+/\\d{8}/([a-z]{2}(?:-gov)?-[a-z]+-\\d)/[^/,\\s]+/aws4_request");

    private RequestParsing() {}

    /** The default account; the region from the SigV4 credential scope when the request is signed. */
    static Caller caller(Exchange req, String defaultRegion) {
        Optional<String> auth = req.header("Authorization");
        if (auth.isPresent()) {
            Matcher m = CREDENTIAL_SCOPE.matcher(auth.get());
            if (m.find()) {
                return new Caller(Caller.DEFAULT_ACCOUNT, m.group(1));
            }
        }
        String credential = req.query("X-Amz-Credential").orElse(null);
        if (credential != null) {
            Matcher m = CREDENTIAL_SCOPE.matcher("Credential=" + credential);
            if (m.find()) {
                return new Caller(Caller.DEFAULT_ACCOUNT, m.group(1));
            }
        }
        return new Caller(Caller.DEFAULT_ACCOUNT, defaultRegion);
    }

    /** A JSON object body; 415 for a body that declares a non-JSON type, 400 if it does not parse. */
    static JsonNode jsonBody(Exchange req, int limit) throws IOException {
        return jsonBody(req, limit, true);
    }

    /**
     * As {@link #jsonBody(Exchange, int)}, a body over {@code limit} answered with AWS's wording for
     * {@code operation} ("Request must be smaller than N bytes for the CreateFunction operation").
     */
    static JsonNode jsonBody(Exchange req, int limit, String operation) throws IOException {
        if (req.body(limit).length > limit) {
            throw LambdaException.of(
                    ErrorCode.REQUEST_TOO_LARGE,
                    "Request must be smaller than %d bytes for the %s operation",
                    limit,
                    operation);
        }
        return jsonBody(req, limit);
    }

    /**
     * A JSON object body. Spur's own API ({@code strictType} false) reads JSON whatever the declared
     * type, so {@code curl -d '{…}'} (which says form-urlencoded) works; Lambda's API refuses it as
     * Lambda does.
     */
    static JsonNode jsonBody(Exchange req, int limit, boolean strictType) throws IOException {
        Optional<String> type = req.header("Content-Type");
        if (strictType
                && type.isPresent()
                && !type.get().toLowerCase().contains("json")
                && !type.get().contains("octet-stream")) {
            throw LambdaException.of(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "The request body must be JSON; Content-Type %s is not supported.",
                    type.get());
        }
        byte[] bytes = req.body(limit);
        if (bytes.length > limit) {
            throw LambdaException.of(ErrorCode.REQUEST_TOO_LARGE, "Request must be smaller than %d bytes.", limit);
        }
        if (bytes.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw LambdaException.of(
                    ErrorCode.INVALID_REQUEST_CONTENT,
                    "Could not parse request body into json: %s",
                    e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw LambdaException.of(ErrorCode.INVALID_REQUEST_CONTENT, "The request body must be a JSON object.");
        }
        return node;
    }

    static Optional<String> string(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw LambdaException.invalid("Parameter %s must be a string.", field);
        }
        return Optional.of(v.asText());
    }

    static Optional<Integer> integer(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw LambdaException.invalid("Parameter %s must be an integer.", field);
        }
        return Optional.of(v.intValue());
    }

    static boolean bool(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw LambdaException.invalid("Parameter %s must be a boolean.", field);
        }
        return v.booleanValue();
    }

    static Optional<JsonNode> object(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw LambdaException.invalid("Parameter %s must be an object.", field);
        }
        return Optional.of(v);
    }

    static Optional<List<String>> strings(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw LambdaException.invalid("Parameter %s must be a list of strings.", field);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw LambdaException.invalid("Parameter %s must be a list of strings.", field);
            }
            out.add(item.asText());
        }
        return Optional.of(out);
    }

    /** {@code Environment.Variables}: absent → empty Optional; present → the whole new map. */
    static Optional<Map<String, String>> environment(JsonNode obj) {
        Optional<JsonNode> env = object(obj, "Environment");
        if (env.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        Optional<JsonNode> variables = object(env.get(), "Variables");
        variables.ifPresent(vars -> vars.properties().forEach(e -> {
            if (!e.getValue().isTextual()) {
                throw LambdaException.invalid("Environment variable %s must have a string value.", e.getKey());
            }
            out.put(e.getKey(), e.getValue().asText());
        }));
        return Optional.of(out);
    }

    static Optional<byte[]> base64(JsonNode obj, String field) {
        Optional<String> text = string(obj, field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getMimeDecoder().decode(text.get()));
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid(
                    "Could not unzip uploaded file. Please check your file, then try to upload "
                            + "again. (%s is not valid base64.)",
                    field);
        }
    }

    /** Whether a list-valued or object-valued field carries anything. */
    static boolean nonEmpty(JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        return v != null
                && !v.isNull()
                && !(v.isContainerNode() && v.isEmpty())
                && !(v.isTextual() && v.asText().isEmpty());
    }
}
