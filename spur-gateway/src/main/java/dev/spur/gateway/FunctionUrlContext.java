package dev.spur.gateway;

import java.util.Objects;
import java.util.Optional;

/**
 * What the edge knows about a function URL request besides the request itself.
 *
 * @param urlId      the URL's 32-character id; the event's {@code apiId} and {@code domainPrefix}
 * @param domainName e.g. {@code <urlId>.lambda-url.us-east-1.localhost:9001}, or the host the request used
 * @param accountId  {@code anonymous} for auth type {@code NONE}, else the caller's account
 * @param requestId  the invocation's request id, also {@code requestContext.requestId}
 * @param iam        the authenticated caller for auth type {@code AWS_IAM}; empty for {@code NONE}
 */
public record FunctionUrlContext(
        String urlId, String domainName, String accountId, String requestId, Optional<IamAuthorizer> iam) {

    public FunctionUrlContext {
        Objects.requireNonNull(urlId, "urlId");
        Objects.requireNonNull(domainName, "domainName");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(iam, "iam");
    }
}
