package dev.spur.common;

/**
 * The closed set of errors Spur answers on the Lambda API, each with the HTTP status and the
 * {@code x-amzn-ErrorType} AWS uses for it. The edge maps a {@link LambdaException} to the wire
 * exactly once, from this table.
 */
public enum ErrorCode {
    RESOURCE_NOT_FOUND(404, "ResourceNotFoundException"),
    INVALID_PARAMETER_VALUE(400, "InvalidParameterValueException"),
    INVALID_REQUEST_CONTENT(400, "InvalidRequestContentException"),
    RESOURCE_CONFLICT(409, "ResourceConflictException"),
    PRECONDITION_FAILED(412, "PreconditionFailedException"),
    /** What AWS puts on the wire (the service model's shape name, RequestTooLargeException, never appears there). */
    REQUEST_TOO_LARGE(413, "RequestEntityTooLargeException"),
    UNSUPPORTED_MEDIA_TYPE(415, "UnsupportedMediaTypeException"),
    TOO_MANY_REQUESTS(429, "TooManyRequestsException"),
    UNKNOWN_OPERATION(404, "UnknownOperationException"),
    PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND(404, "ProvisionedConcurrencyConfigNotFoundException"),
    MISSING_AUTHENTICATION_TOKEN(403, "MissingAuthenticationTokenException"),
    INCOMPLETE_SIGNATURE(403, "IncompleteSignatureException"),
    INVALID_SIGNATURE(403, "InvalidSignatureException"),
    UNRECOGNIZED_CLIENT(403, "UnrecognizedClientException"),
    ACCESS_DENIED(403, "AccessDeniedException"),
    SERVICE(500, "ServiceException");

    private final int status;
    private final String type;

    ErrorCode(int status, String type) {
        this.status = status;
        this.type = type;
    }

    public int status() {
        return status;
    }

    /** The AWS error type, as sent in {@code x-amzn-ErrorType}. */
    public String type() {
        return type;
    }
}
