/**
 * Function URLs and HTTP APIs served with no HTTP server in them: request data in
 * ({@link dev.spur.gateway.HttpRequestData}, its body read through a
 * {@link dev.spur.gateway.RequestBody}), response data out ({@link dev.spur.gateway.HttpResponseData}),
 * and the function run through a {@link dev.spur.gateway.FunctionInvoker} the caller passes in. The
 * edge adapts its HTTP exchanges to these; anything else that holds a request can call them too.
 *
 * <p>{@link dev.spur.gateway.FunctionUrlService} answers a CORS preflight with
 * {@link dev.spur.gateway.Cors#preflight}, otherwise builds the event with
 * {@link dev.spur.gateway.PayloadV2#functionUrlEvent}, invokes the function, maps its answer with
 * {@link dev.spur.gateway.ResponseMappingV2#map} and decorates it with
 * {@link dev.spur.gateway.Cors#decorate}.
 *
 * <p>{@link dev.spur.gateway.HttpApiService} uses the same request, response, event and CORS code: it
 * picks the route with {@link dev.spur.gateway.RouteTable#match}, throttles with
 * {@link dev.spur.gateway.TokenBucket}, checks a bearer token with {@link dev.spur.gateway.JwtVerifier}
 * (answering refusals with {@link dev.spur.gateway.GatewayResponses}), builds the event with
 * {@link dev.spur.gateway.PayloadV2#httpApiEvent} or {@link dev.spur.gateway.PayloadV1#event}, maps the
 * answer with {@link dev.spur.gateway.ResponseMappingV2#forHttpApi} or
 * {@link dev.spur.gateway.ResponseMappingV1#map}, and writes an {@link dev.spur.gateway.AccessLog} line.
 * The HTTP API documents themselves are {@link dev.spur.gateway.Gateways}.
 *
 * <p>Each class names the AWS document it follows and says where Spur had to choose.
 */
package dev.spur.gateway;
