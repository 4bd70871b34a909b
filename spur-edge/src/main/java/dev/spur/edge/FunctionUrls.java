package dev.spur.edge;

import dev.spur.auth.Principal;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.control.ControlPlane;
import dev.spur.control.UrlTarget;
import dev.spur.gateway.Cors;
import dev.spur.gateway.FunctionUrlContext;
import dev.spur.gateway.GatewayResponses;
import dev.spur.gateway.HttpRequestData;
import dev.spur.gateway.HttpResponseData;
import dev.spur.gateway.IamAuthorizer;
import dev.spur.gateway.PayloadV2;
import dev.spur.gateway.ResponseMappingV2;
import dev.spur.invoke.InvokeCommand;
import dev.spur.invoke.InvokeResult;
import dev.spur.invoke.Invoker;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves function URLs on Spur's HTTP port, addressed either by host name
 * ({@code <id>.lambda-url.<region>.localhost}, as AWS's {@code <id>.lambda-url.<region>.on.aws}) or
 * by path ({@code /url/<id>/…}, for clients that cannot resolve {@code *.localhost}). A request
 * becomes a payload-2.0 event, runs through the ordinary invoke path, and the function's answer is
 * mapped back to HTTP; CORS preflights are answered here without invoking the function.
 *
 * <p>Trust: an {@code AWS_IAM} URL requires a SigV4 signature (service {@code lambda}) from a key of
 * the function's own account when the server runs with authentication; other accounts get 403.
 * {@code NONE} URLs are public, as on AWS.
 */
final class FunctionUrls {
    private static final System.Logger LOG = System.getLogger(FunctionUrls.class.getName());
    static final String PATH_PREFIX = "/url/";
    /** Lambda's limit on a function URL request body (the synchronous invoke payload limit). */
    static final int MAX_BODY = Invoker.MAX_REQUEST_PAYLOAD;

    private final ControlPlane control;
    private final Invoker invoker;
    private final Authentication auth;
    private final InstantSource clock;

    FunctionUrls(ControlPlane control, Invoker invoker, Authentication auth, InstantSource clock) {
        this.control = control;
        this.invoker = invoker;
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
        String requestId = RequestIds.next();
        List<Map.Entry<String, String>> idHeader = List.of(Map.entry("x-amzn-RequestId", requestId));
        Optional<UrlTarget> target = control.functionUrl(urlId);
        if (target.isEmpty()) {
            x.send(404, withJson(idHeader), message("Not Found"));
            return;
        }
        FunctionUrlConfig url = target.get().config();
        try {
            byte[] body = x.body(MAX_BODY);
            if (body.length > MAX_BODY) {
                x.send(413, withJson(idHeader), message("Request Entity Too Large"));
                return;
            }
            String rawPath = byPath ? pathAfterId(x.rawPath()) : x.rawPath();
            HttpRequestData request = new HttpRequestData(
                    x.method(),
                    rawPath,
                    x.rawQuery(),
                    x.headers(),
                    body,
                    x.remoteAddress(),
                    x.protocol(),
                    clock.instant());
            if (url.cors() != null && Cors.isPreflight(request)) {
                Optional<HttpResponseData> preflight = Cors.preflight(url.cors(), request);
                if (preflight.isPresent()) {
                    send(x, preflight.get(), idHeader);
                    return;
                }
            }
            Optional<IamAuthorizer> iam = Optional.empty();
            String accountId = "anonymous";
            if (url.authType().equals(FunctionUrlConfig.AUTH_IAM) && auth.enabled()) {
                Principal p;
                try {
                    p = auth.principal(x, body).orElseThrow();
                } catch (LambdaException e) {
                    x.send(403, withJson(idHeader), message("Forbidden"));
                    return;
                }
                if (!p.account().equals(target.get().function().account())) {
                    x.send(403, withJson(idHeader), message("Forbidden"));
                    return;
                }
                accountId = p.account();
                iam = Optional.of(new IamAuthorizer(
                        p.accessKeyId(),
                        p.account(),
                        p.accessKeyId(),
                        "arn:aws:iam::" + p.account() + ":user/" + p.accessKeyId(),
                        p.accessKeyId()));
            }
            String domain = x.header("Host").orElse(urlId);
            byte[] event = PayloadV2.functionUrlEvent(
                    request, new FunctionUrlContext(urlId, domain, accountId, requestId, iam));
            var function = target.get().function();
            InvokeCommand command = new InvokeCommand(
                    new Caller(function.account(), function.region()),
                    function.name(),
                    url.qualifier().isEmpty() ? Optional.empty() : Optional.of(url.qualifier()),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    event,
                    event.length,
                    requestId);
            InvokeResult result = invoker.invoke(command);
            HttpResponseData response = ResponseMappingV2.map(
                    result.payload(), result.functionError().isPresent());
            if (url.cors() != null) {
                response = Cors.decorate(url.cors(), request, response);
            }
            send(x, response, idHeader);
        } catch (LambdaException e) {
            if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
                List<Map.Entry<String, String>> headers = new ArrayList<>(withJson(idHeader));
                headers.add(Map.entry("Retry-After", Integer.toString(Math.max(1, e.retryAfterSeconds()))));
                x.send(429, headers, message("Rate Exceeded."));
            } else if (e.code() == ErrorCode.REQUEST_TOO_LARGE) {
                x.send(413, withJson(idHeader), message("Request Entity Too Large"));
            } else {
                if (e.code() == ErrorCode.SERVICE) {
                    LOG.log(Level.ERROR, "function URL request " + requestId + " failed", e);
                }
                send(x, ResponseMappingV2.badGateway(), idHeader);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(x, ResponseMappingV2.badGateway(), idHeader);
        } catch (Exception e) {
            LOG.log(Level.ERROR, "function URL request " + requestId + " failed", e);
            send(x, ResponseMappingV2.badGateway(), idHeader);
        }
    }

    private static String pathAfterId(String rawPath) {
        String rest = rawPath.substring(PATH_PREFIX.length() + 32);
        return rest.isEmpty() ? "/" : rest;
    }

    private static void send(Exchange x, HttpResponseData response, List<Map.Entry<String, String>> extra) {
        HttpResponseData out = response;
        for (Map.Entry<String, String> header : extra) {
            out = GatewayResponses.withHeader(out, header.getKey(), header.getValue());
        }
        x.send(out);
    }

    private static List<Map.Entry<String, String>> withJson(List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> out = new ArrayList<>(headers);
        out.add(Map.entry("Content-Type", "application/json"));
        return out;
    }

    private static byte[] message(String text) {
        return ("{\"Message\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
