package dev.spur.gateway;

import java.util.Objects;

/**
 * A bearer token was refused. {@link #description()} is safe to show the client: it names the check
 * that failed, never the token, a key or a claim value, and is the {@code error_description} of the
 * {@code www-authenticate} header a JWT authorizer answers 401 with.
 */
public final class JwtException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused, each with the description a client sees. */
    public enum Reason {
        MISSING("no bearer token in the identity source"),
        MALFORMED("the token is not a well-formed JWT"),
        UNSUPPORTED_ALGORITHM("the token's signing algorithm is not supported"),
        UNKNOWN_KEY("the token's kid does not match a key in the key set"),
        BAD_SIGNATURE("the token's signature is not valid"),
        WRONG_ISSUER("the token does not have a valid issuer"),
        WRONG_AUDIENCE("the token does not have a valid audience"),
        EXPIRED("the token has expired"),
        NOT_YET_VALID("the token is not valid yet"),
        ISSUED_IN_FUTURE("the token was issued in the future");

        private final String description;

        Reason(String description) {
            this.description = description;
        }
    }

    private final Reason reason;

    public JwtException(Reason reason, String detail) {
        super(reason.description + (detail.isEmpty() ? "" : ": " + detail), null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** The client-safe text, without the detail that may name the token's own values. */
    public String description() {
        return reason.description;
    }
}
