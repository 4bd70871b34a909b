package dev.spur.edge;

import dev.spur.gateway.FunctionUrlService;
import dev.spur.gateway.HttpResponseData;
import java.io.IOException;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Function URLs on Spur's HTTP port, addressed either by host name
 * ({@code <id>.lambda-url.<region>.localhost}, as AWS's {@code <id>.lambda-url.<region>.on.aws}) or
 * by path ({@code /url/<id>/…}, for clients that cannot resolve {@code *.localhost}): the exchange
 * becomes request data for {@link FunctionUrlService}, which does the rest, and its response data is
 * sent as is. What stays here is HTTP: the address, and the SigV4 check of an {@code AWS_IAM} URL's
 * request ({@link Authentication}, over the request line and headers as sent).
 *
 * <p>Trust: an {@code AWS_IAM} URL requires a SigV4 signature (service {@code lambda}) from a key of
 * the function's own account when the server runs with authentication; other accounts get 403.
 * {@code NONE} URLs are public, as on AWS.
 */
final class FunctionUrls {
    static final String PATH_PREFIX = "/url/";

    private final FunctionUrlService urls;
    private final Authentication auth;
    private final InstantSource clock;

    FunctionUrls(FunctionUrlService urls, Authentication auth, InstantSource clock) {
        this.urls = urls;
        this.auth = auth;
        this.clock = clock;
    }

    /** The URL id a request addresses, from its host name or path; null if it is not a function URL request. */
    static String urlId(String host, String rawPath) {
        if (host != null) {
            int dot = host.indexOf('.');
            if (dot == 32 && host.startsWith(".lambda-url.", dot)) {
                return host.substring(0, dot);
            }
        }
        if (rawPath != null && rawPath.startsWith(PATH_PREFIX) && rawPath.length() >= PATH_PREFIX.length() + 32) {
            String id = rawPath.substring(PATH_PREFIX.length(), PATH_PREFIX.length() + 32);
            int end = PATH_PREFIX.length() + 32;
            if (rawPath.length() == end || rawPath.charAt(end) == '/') {
                return id;
            }
        }
        return null;
    }

    void handle(Exchange x, String urlId, boolean byPath) {
        String rawPath = byPath ? pathAfterId(x.rawPath()) : x.rawPath();
        ByteStream stream = x.byteStream();
        Optional<HttpResponseData> whole = urls.serve(
                urlId,
                x.requestData(rawPath, clock.instant()),
                x::body,
                body -> auth.principal(x, body).map(p -> new FunctionUrlService.Signer(p.accessKeyId(), p.account())),
                new FunctionUrlService.HttpStream() {
                    @Override
                    public void start(int status, List<Map.Entry<String, String>> headers) {
                        stream.start(status, headers);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        stream.write(bytes, offset, length);
                    }
                });
        if (stream.started()) {
            stream.close(); // a RESPONSE_STREAM URL's answer, streamed as the function produced it
        } else {
            whole.ifPresent(x::send);
        }
    }

    private static String pathAfterId(String rawPath) {
        String rest = rawPath.substring(PATH_PREFIX.length() + 32);
        return rest.isEmpty() ? "/" : rest;
    }
}
