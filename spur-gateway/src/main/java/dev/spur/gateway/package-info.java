/**
 * HTTP request to Lambda event translation and back, with no server in it. The edge turns a request
 * into {@link dev.spur.gateway.HttpRequestData}, answers a CORS preflight with
 * {@link dev.spur.gateway.Cors#preflight} when the URL has a CORS configuration, otherwise builds the
 * event with {@link dev.spur.gateway.PayloadV2#functionUrlEvent}, invokes the function, maps its answer
 * with {@link dev.spur.gateway.ResponseMappingV2#map}, decorates it with
 * {@link dev.spur.gateway.Cors#decorate} and writes the {@link dev.spur.gateway.HttpResponseData}.
 *
 * <p>Each class names the AWS document it follows and says where Spur had to choose. Shared by
 * Lambda function URLs and, later, the API-Gateway-style HTTP gateway (payload format 2.0).
 */
package dev.spur.gateway;
