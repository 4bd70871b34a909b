package dev.spur.edge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * One port, many services: which AWS service a request on Spur's port is for. AWS gives every
 * service its own host; a client pointed at one endpoint ({@code --endpoint-url}) still says which
 * service it means, twice: the JSON protocols name the operation in {@code X-Amz-Target}
 * ({@code AmazonSQS.SendMessage}, {@code Logs_20140328.PutLogEvents}), and every signed request names
 * the service in its SigV4 credential scope ({@code key/date/region/sqs/aws4_request}, in the
 * {@code Authorization} header or a presigned URL's {@code X-Amz-Credential}).
 *
 * <p>The target's prefix wins, then the scope; a request naming neither, or naming {@code lambda},
 * is Lambda's (its REST paths are served by the {@link Router} unchanged). A new service adds its
 * target prefix here and its handler to {@link EdgeServer}'s map of services.
 *
 * <p>S3 is the one service also chosen by host name: a request to {@code <bucket>.s3.localhost[:port]}
 * (virtual-host style) is S3's whether signed or not. Path-style S3 ({@code /<bucket>/<key>}) is chosen by
 * the scope only, so Lambda's REST paths are never shadowed by a bucket name.
 */
final class AwsServices {
    static final String LAMBDA = "lambda";
    static final String SQS = "sqs";
    static final String LOGS = "logs";
    static final String S3 = "s3";

    /** S3's virtual-host style: {@code <bucket>.s3.localhost[:port]}. */
    private static final Pattern S3_VIRTUAL_HOST = Pattern.compile("(.+)\\.s3\\.localhost(:\\d+)?");

    static final String SNS = "sns";
    static final String EVENTS = "events";

    /** JSON-protocol target prefixes ({@code X-Amz-Target: <prefix>.<Operation>}) → service. */
    private static final Map<String, String> TARGETS =
            Map.of("AmazonSQS", SQS, "Logs_20140328", LOGS, "AWSEvents", EVENTS);

    private static final Pattern SCOPE_SERVICE =
            Pattern.compile("Credential=[^/,\\s]+/\\d{8}/[^/,\\s]+/([a-z0-9-]+)/aws4_request");

    private AwsServices() {}

    /** The service a request is addressed to; {@value #LAMBDA} when it names none. */
    static String of(Request request) {
        HttpFields headers = request.getHeaders();
        if (s3Bucket(headers.get("Host")) != null) {
            return S3;
        }
        String target = headers.get("X-Amz-Target");
        if (target != null) {
            int dot = target.indexOf('.');
            String service = TARGETS.get(dot < 0 ? target : target.substring(0, dot));
            if (service != null) {
                return service;
            }
        }
        return scope(headers.get("Authorization"))
                .or(() -> scope(presignedCredential(request.getHttpURI().getQuery())))
                .orElse(LAMBDA);
    }

    /** The bucket a virtual-host-style S3 request names in its host, or null. */
    static String s3Bucket(String host) {
        if (host == null) {
            return null;
        }
        Matcher m = S3_VIRTUAL_HOST.matcher(host.toLowerCase(Locale.ROOT));
        return m.matches() ? m.group(1) : null;
    }

    private static Optional<String> scope(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        Matcher m = SCOPE_SERVICE.matcher(authorization);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** {@code Credential=<X-Amz-Credential>} of a presigned URL's query, decoded, or null. */
    private static String presignedCredential(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("X-Amz-Credential=")) {
                return "Credential="
                        + URLDecoder.decode(pair.substring("X-Amz-Credential=".length()), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
