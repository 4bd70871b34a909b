package dev.spur.edge;

import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.s3.S3Exception;
import dev.spur.s3.S3Service;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * S3 on Spur's port: the HTTP adapter of {@link S3Service}. It reads which bucket and key a request names
 * — virtual-host style ({@code <bucket>.s3.localhost[:port]}, the key the whole path) or path-style
 * ({@code /<bucket>/<key>}) — reads the body (at most {@value #MAX_BODY} bytes: larger objects go up in
 * parts), checks the signature as S3 does ({@link Authentication#s3Caller}), and sends the service's answer.
 * Requests reach it through {@link AwsServices}: signed for {@code s3}, presigned for {@code s3}, or
 * addressed to a virtual host.
 */
final class S3Api {
    static final int MAX_BODY = 128 * 1024 * 1024;

    private final S3Service service;
    private final Authentication auth;

    S3Api(S3Service service, Authentication auth) {
        this.service = service;
        this.auth = auth;
    }

    void handle(Exchange x) throws Exception {
        String requestId = RequestIds.next();
        String rawPath = x.rawPath() == null || x.rawPath().isEmpty() ? "/" : x.rawPath();
        String bucket = AwsServices.s3Bucket(x.header("Host").orElse(null));
        String key;
        if (bucket != null) {
            key = rawPath.length() > 1 ? decodePath(rawPath.substring(1)) : null;
        } else {
            String rest = rawPath.substring(1);
            int slash = rest.indexOf('/');
            bucket = rest.isEmpty() ? null : decodePath(slash < 0 ? rest : rest.substring(0, slash));
            key = slash < 0 || slash == rest.length() - 1 ? null : decodePath(rest.substring(slash + 1));
        }
        String resource = key != null ? key : bucket;
        byte[] body = x.body(MAX_BODY);
        if (body.length > MAX_BODY) {
            send(x, service.error(S3Exception.tooLarge(MAX_BODY), resource, requestId));
            return;
        }
        Authentication.S3Caller caller;
        try {
            caller = auth.s3Caller(x, body);
        } catch (LambdaException e) {
            S3Exception denied = e.code().status() == 400
                    ? S3Exception.invalidRequest(e.getMessage())
                    : S3Exception.forbidden(s3Code(e.code().type()), e.getMessage());
            send(x, service.error(denied, resource, requestId));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : x.headers()) {
            headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        S3Service.Request request = new S3Service.Request(
                caller.caller().account(),
                caller.caller().region(),
                caller.principal(),
                x.remoteAddress(),
                x.method(),
                bucket,
                key,
                query(x.rawQuery()),
                headers,
                caller.payload());
        send(x, service.handle(request, requestId));
    }

    /** S3's error code for what the verifier refused (its codes are Lambda's). */
    static String s3Code(String lambdaType) {
        return switch (lambdaType) {
            case "InvalidSignatureException" -> "SignatureDoesNotMatch";
            case "UnrecognizedClientException" -> "InvalidAccessKeyId";
            case "IncompleteSignatureException" -> "AuthorizationHeaderMalformed";
            default -> "AccessDenied";
        };
    }

    private static void send(Exchange x, S3Service.Response r) {
        if (x.method().equals("HEAD") || r.status() == 304 || r.status() == 204) {
            x.sendHeaders(r.status(), r.headers(), r.status() == 204 ? 0 : r.contentLength());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>(r.headers());
        String contentType = headers.remove("Content-Type");
        x.send(r.status(), headers, contentType == null ? "application/octet-stream" : contentType, r.body());
    }

    /** A path segment percent-decoded; a {@code +} stays a plus, as S3 reads paths. */
    static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The query's parameters decoded; a parameter without {@code =} maps to "". */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(name, value);
        }
        return out;
    }

    /** For the edge's map of services. */
    static Map.Entry<String, Router.RouteHandler> entry(S3Service service, Authentication auth) {
        S3Api api = new S3Api(service, auth);
        return Map.entry(AwsServices.S3, api::handle);
    }
}
