package dev.spur.gateway;

import java.util.Objects;

/**
 * The SigV4-authenticated caller of an {@code AWS_IAM} function URL, rendered as
 * {@code requestContext.authorizer.iam} in the event.
 *
 * @param accessKey the access key id that signed the request, e.g. {@code AKIAIOSFODNN7EXAMPLE}
 * @param accountId the caller's account
 * @param callerId  the IAM user id of the caller, e.g. {@code AIDACKCEVSQ6C2EXAMPLE}
 * @param userArn   e.g. {@code arn:aws:iam::111122223333:user/example-user}
 * @param userId    the user id of the caller identity
 */
public record IamAuthorizer(String accessKey, String accountId, String callerId, String userArn, String userId) {

    public IamAuthorizer {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(callerId, "callerId");
        Objects.requireNonNull(userArn, "userArn");
        Objects.requireNonNull(userId, "userId");
    }
}
