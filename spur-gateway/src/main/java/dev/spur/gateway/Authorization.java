package dev.spur.gateway;

/** What a route's authorizer decided: go on with what it established, or answer the refusal. */
sealed interface Authorization {

    /** @param context what the event carries in {@code requestContext.authorizer} */
    record Allowed(ApiAuthorizer context) implements Authorization {}

    /** @param reason why, for the access log's {@code integrationErrorMessage} */
    record Refused(HttpResponseData response, String reason) implements Authorization {}

    static Authorization refuse(HttpResponseData response, String reason) {
        return new Refused(response, reason);
    }
}
