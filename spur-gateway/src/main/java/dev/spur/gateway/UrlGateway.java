package dev.spur.gateway;

import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@link FunctionUrlService}: one request end to end in {@link #serve}. The request id is both
 * the response's {@code x-amzn-RequestId} and the invocation's request id. Stateless; requests run
 * on their callers' threads, in parallel.
 */
final class UrlGateway implements FunctionUrlService {
    private static final System.Logger LOG = System.getLogger(UrlGateway.class.getName());

    /** What {@link #handle} returns once the answer has been streamed. */
    private static final HttpResponseData STREAMED = new HttpResponseData(200, List.of(), new byte[0]);

    private final Function<String, Optional<Target>> urls;
    private final FunctionInvoker functions;

    UrlGateway(Function<String, Optional<Target>> urls, FunctionInvoker functions) {
        this.urls = urls;
        this.functions = functions;
    }

    @Override
    public HttpResponseData serve(String urlId, HttpRequestData head, RequestBody body, SignatureCheck signature) {
        return handle(urlId, head, body, signature, null);
    }

    @Override
    public Optional<HttpResponseData> serve(
            String urlId, HttpRequestData head, RequestBody body, SignatureCheck signature, HttpStream out) {
        HttpResponseData response = handle(urlId, head, body, signature, out);
        return response == STREAMED ? Optional.empty() : Optional.of(response);
    }

    /**
     * One request, end to end; with {@code out} (non-null) a {@code RESPONSE_STREAM} URL streams its answer
     * into it ({@link UrlStream}) and returns {@link #STREAMED}.
     */
    private HttpResponseData handle(
            String urlId, HttpRequestData head, RequestBody body, SignatureCheck signature, HttpStream out) {
        String requestId = RequestIds.next();
        Optional<Target> target = urls.apply(urlId);
        if (target.isEmpty()) {
            return message(404, "Not Found", requestId);
        }
        FunctionUrlConfig url = target.get().config();
        FunctionKey function = target.get().function();
        try {
            byte[] bytes = body.read(MAX_BODY);
            if (bytes.length > MAX_BODY) {
                return message(413, "Request Entity Too Large", requestId);
            }
            HttpRequestData request = head.withBody(bytes);
            if (url.cors() != null && Cors.isPreflight(request)) {
                Optional<HttpResponseData> preflight = Cors.preflight(url.cors(), request);
                if (preflight.isPresent()) {
                    return withRequestId(preflight.get(), requestId);
                }
            }
            Optional<IamAuthorizer> iam = Optional.empty();
            String accountId = "anonymous";
            if (url.authType().equals(FunctionUrlConfig.AUTH_IAM)) {
                Optional<Signer> signer;
                try {
                    signer = signature.signer(bytes);
                } catch (LambdaException e) {
                    return message(403, "Forbidden", requestId);
                }
                if (signer.isPresent()) {
                    Signer s = signer.get();
                    if (!s.account().equals(function.account())) {
                        return message(403, "Forbidden", requestId);
                    }
                    accountId = s.account();
                    iam = Optional.of(new IamAuthorizer(
                            s.accessKeyId(),
                            s.account(),
                            s.accessKeyId(),
                            "arn:aws:iam::" + s.account() + ":user/" + s.accessKeyId(),
                            s.accessKeyId()));
                }
            }
            String domain = request.header("Host").orElse(urlId);
            byte[] event = PayloadV2.functionUrlEvent(
                    request, new FunctionUrlContext(urlId, domain, accountId, requestId, iam));
            FunctionInvoker.Call call = new FunctionInvoker.Call(
                    new Caller(function.account(), function.region()),
                    function.name(),
                    url.qualifier().isEmpty() ? Optional.empty() : Optional.of(url.qualifier()),
                    event,
                    requestId,
                    request.header("X-Amzn-Trace-Id"));
            FunctionInvoker.Result result;
            if (out != null && url.invokeMode().equals(FunctionUrlConfig.RESPONSE_STREAM)) {
                UrlStream stream = new UrlStream(
                        out,
                        r -> withRequestId(url.cors() != null ? Cors.decorate(url.cors(), request, r) : r, requestId));
                result = functions.invokeStreaming(call, stream);
                stream.finish();
                if (stream.started()) {
                    return STREAMED; // a failure after this point only ends the stream early
                }
            } else {
                result = functions.invoke(call);
            }
            HttpResponseData response = ResponseMappingV2.map(
                    result.payload(), result.functionError().isPresent());
            if (url.cors() != null) {
                response = Cors.decorate(url.cors(), request, response);
            }
            return withRequestId(response, requestId);
        } catch (LambdaException e) {
            return switch (e.code()) {
                case TOO_MANY_REQUESTS ->
                    GatewayResponses.withHeader(
                            message(429, "Rate Exceeded.", requestId),
                            "Retry-After",
                            Integer.toString(Math.max(1, e.retryAfterSeconds())));
                case REQUEST_TOO_LARGE -> message(413, "Request Entity Too Large", requestId);
                default -> {
                    if (e.code() == ErrorCode.SERVICE) {
                        LOG.log(Level.ERROR, "function URL request " + requestId + " failed", e);
                    }
                    yield withRequestId(ResponseMappingV2.badGateway(), requestId);
                }
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return withRequestId(ResponseMappingV2.badGateway(), requestId);
        } catch (Exception e) {
            LOG.log(Level.ERROR, "function URL request " + requestId + " failed", e);
            return withRequestId(ResponseMappingV2.badGateway(), requestId);
        }
    }

    /** The service's own answer: {@code x-amzn-RequestId}, JSON, {@code {"Message": text}}. */
    private static HttpResponseData message(int status, String text, String requestId) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(2);
        headers.add(Map.entry("x-amzn-RequestId", requestId));
        headers.add(Map.entry("Content-Type", "application/json"));
        return new HttpResponseData(
                status, headers, ("{\"Message\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponseData withRequestId(HttpResponseData response, String requestId) {
        return GatewayResponses.withHeader(response, "x-amzn-RequestId", requestId);
    }
}
