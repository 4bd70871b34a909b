package dev.spur.auth;

/**
 * A request failed authentication. Carries the AWS error type ({@code x-amzn-ErrorType}) and the
 * HTTP status (always 403). The message uses AWS's wording and is safe to show the client: it never
 * contains a secret, the expected signature, or whether a key exists beyond what AWS itself says.
 */
public final class AuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final String MISSING_TOKEN = "MissingAuthenticationTokenException";
    static final String INCOMPLETE_SIGNATURE = "IncompleteSignatureException";
    static final String UNRECOGNIZED_CLIENT = "UnrecognizedClientException";
    static final String INVALID_SIGNATURE = "InvalidSignatureException";

    private final String errorType;

    private AuthException(String errorType, String message) {
        // No stack trace: rejections are ordinary traffic, and the type and message say it all.
        super(message, null, false, false);
        this.errorType = errorType;
    }

    static AuthException missingToken() {
        return new AuthException(MISSING_TOKEN, "Missing Authentication Token");
    }

    static AuthException incomplete(String message) {
        return new AuthException(INCOMPLETE_SIGNATURE, message);
    }

    static AuthException unrecognizedClient() {
        return new AuthException(UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    }

    static AuthException invalid(String message) {
        return new AuthException(INVALID_SIGNATURE, message);
    }

    static AuthException signatureMismatch() {
        return invalid(
                "The request signature we calculated does not match the signature you provided. "
                        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    /** The AWS error type, as sent in {@code x-amzn-ErrorType}. */
    public String errorType() {
        return errorType;
    }

    /** The HTTP status: 403 for every authentication failure, as AWS answers. */
    public int status() {
        return 403;
    }
}
