package dev.spur.gateway;

import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Function URLs served as Lambda serves them, with no HTTP server in it: request data in, response
 * data out. The edge adapts its HTTP exchanges to this.
 *
 * <p>One request, in order: find the URL (404) → read at most {@link #MAX_BODY} of body (413 above)
 * → answer a CORS preflight without invoking → for {@code AWS_IAM}, the request's SigV4 signer must be
 * of the function's own account (403 otherwise; with authentication off the URL is public) → the
 * payload-2.0 event → the function, through the ordinary invoke path with the URL's qualifier → the
 * answer mapped back (502 for a function error or a malformed answer; 429 when throttled) → CORS
 * headers and {@code x-amzn-RequestId}. The service's own errors have Lambda's function URL shape,
 * {@code {"Message": "…"}}.
 */
public interface FunctionUrlService {

    /** Lambda's limit on a function URL request body (the synchronous invoke payload limit): 6 MB. */
    int MAX_BODY = 6 * 1024 * 1024;

    /**
     * Serves one request to the URL {@code urlId}. Blocks while the function runs.
     *
     * @param head      the request as it arrived — method, path (after any {@code /url/<id>} prefix),
     *                  query, headers, peer, protocol, arrival time; its own body is not used
     * @param body      the request's body, read only when the URL exists
     * @param signature who signed the request, asked only for an {@code AWS_IAM} URL
     * @return the response to send as it is; failures are answered, never thrown
     */
    HttpResponseData serve(String urlId, HttpRequestData head, RequestBody body, SignatureCheck signature);

    /**
     * As {@link #serve(String, HttpRequestData, RequestBody, SignatureCheck)}, but a URL whose
     * {@code InvokeMode} is {@code RESPONSE_STREAM} answers through {@code out} as the function produces
     * its response (Lambda's HTTP integration for streaming: {@code HttpResponseStream.from}'s JSON prelude
     * and its 8 NUL bytes set the status, headers and cookies; the rest is the body). Returns the response
     * to send when there is one to send whole — any {@code BUFFERED} URL, an error before the stream
     * started, a runtime that answered buffered — and empty when it was streamed into {@code out}, which
     * the caller then ends.
     */
    default Optional<HttpResponseData> serve(
            String urlId, HttpRequestData head, RequestBody body, SignatureCheck signature, HttpStream out) {
        return Optional.of(serve(urlId, head, body, signature));
    }

    /**
     * A response written as it is produced. Failure semantics: an {@link IOException} says the
     * client has gone.
     */
    interface HttpStream {
        /** Sets the status and headers; called once, before any {@link #write}. */
        void start(int status, List<Map.Entry<String, String>> headers) throws IOException;

        /** Sends the next bytes of the body now; blocks while the client is slow. */
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * @param urls      the function and settings of the URL with an id, if there is one
     * @param functions runs the URL's function
     */
    static FunctionUrlService create(Function<String, Optional<Target>> urls, FunctionInvoker functions) {
        return new UrlGateway(urls, functions);
    }

    /** Where a function URL points: the function and the URL's settings (qualifier, auth type, CORS). */
    record Target(FunctionKey function, FunctionUrlConfig config) {
        public Target {
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(config, "config");
        }
    }

    /** The access key that signed a request (SigV4), and its account. */
    record Signer(String accessKeyId, String account) {
        public Signer {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(account, "account");
        }
    }

    /**
     * Verifies a request's SigV4 signature; the transport does it, since the signature covers the
     * request line and headers exactly as sent.
     */
    @FunctionalInterface
    interface SignatureCheck {
        /**
         * The verified signer of the request with this body; empty when the server does not
         * authenticate requests.
         *
         * @throws LambdaException when authentication is on and the request is not signed, or not
         *                         validly, with a known key
         */
        Optional<Signer> signer(byte[] body);
    }
}
