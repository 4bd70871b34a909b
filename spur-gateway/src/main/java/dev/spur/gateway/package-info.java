/**
 * HTTP request to Lambda event translation and back, with no server in it. The edge turns a request
 * into {@link dev.spur.gateway.HttpRequestData}, answers a CORS preflight with
 * {@link dev.spur.gateway.Cors#preflight} when the URL has a CORS configuration, otherwise builds the
 * event with {@link dev.spur.gateway.PayloadV2#functionUrlEvent}, invokes the function, maps its answer
 * with {@link dev.spur.gateway.ResponseMappingV2#map}, decorates it with
 * {@link dev.spur.gateway.Cors#decorate} and writes the {@link dev.spur.gateway.HttpResponseData}.
 *
 * <p>The API-Gateway-style HTTP gateway uses the same request and response types: it picks the route
 * with {@link dev.spur.gateway.RouteTable#match}, throttles with {@link dev.spur.gateway.TokenBucket},
 * checks a bearer token with {@link dev.spur.gateway.JwtVerifier} (answering refusals with
 * {@link dev.spur.gateway.GatewayResponses}), builds the event with
 * {@link dev.spur.gateway.PayloadV2#httpApiEvent} or {@link dev.spur.gateway.PayloadV1#event}, maps the
 * answer with {@link dev.spur.gateway.ResponseMappingV2#forHttpApi} or
 * {@link dev.spur.gateway.ResponseMappingV1#map}, and writes an {@link dev.spur.gateway.AccessLog} line.
 *
 * <p>Each class names the AWS document it follows and says where Spur had to choose.
 */
package dev.spur.gateway;
