package dev.spur.edge;

import dev.spur.auth.AuthException;
import dev.spur.auth.Principal;
import dev.spur.auth.SigV4Verifier;
import dev.spur.auth.SignedRequest;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.util.Optional;

/**
 * Who is calling. With authentication off every request is the default account (the region still
 * comes from the SigV4 scope when a client signs); with SigV4 on, every Lambda API request must be
 * signed with a known access key, and the caller is that key's account in the scope's region.
 */
final class Authentication {
    static final String SERVICE = "lambda";

    private final SigV4Verifier verifier;
    private final String defaultRegion;

    private Authentication(SigV4Verifier verifier, String defaultRegion) {
        this.verifier = verifier;
        this.defaultRegion = defaultRegion;
    }

    static Authentication none(String defaultRegion) {
        return new Authentication(null, defaultRegion);
    }

    static Authentication sigv4(SigV4Verifier verifier, String defaultRegion) {
        return new Authentication(verifier, defaultRegion);
    }

    boolean enabled() {
        return verifier != null;
    }

    /**
     * The caller of a Lambda API request whose body has been read.
     *
     * @throws LambdaException 403 with AWS's error type when SigV4 is on and the request is not authentic
     */
    Caller caller(Exchange x, byte[] body) {
        return caller(x, body, SERVICE);
    }

    /**
     * The caller of a request to another AWS service on this port ({@link AwsServices}), checked
     * exactly as Lambda's: the signature must be scoped to {@code service}.
     */
    Caller caller(Exchange x, byte[] body, String service) {
        if (verifier == null) {
            return RequestParsing.caller(x, defaultRegion);
        }
        Principal p = verify(x, body, service);
        return new Caller(p.account(), p.region());
    }

    /** The verified signer of a request, or empty when authentication is off. */
    Optional<Principal> principal(Exchange x, byte[] body) {
        return verifier == null ? Optional.empty() : Optional.of(verify(x, body, SERVICE));
    }

    private Principal verify(Exchange x, byte[] body, String service) {
        SignedRequest request = new SignedRequest(x.method(), x.rawPath(), x.rawQuery(), x.headers(), body);
        try {
            return verifier.verify(request, service);
        } catch (AuthException e) {
            throw LambdaException.of(errorCode(e.errorType()), e.getMessage());
        }
    }

    private static ErrorCode errorCode(String type) {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.type().equals(type)) {
                return code;
            }
        }
        return ErrorCode.ACCESS_DENIED;
    }
}
