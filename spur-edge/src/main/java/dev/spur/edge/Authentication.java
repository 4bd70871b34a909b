package dev.spur.edge;

import dev.spur.auth.AuthException;
import dev.spur.auth.AwsChunked;
import dev.spur.auth.Principal;
import dev.spur.auth.SigV4Verifier;
import dev.spur.auth.SignedRequest;
import dev.spur.common.Caller;
import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who is calling. With authentication off every request is the default account (the region still
 * comes from the SigV4 scope when a client signs); with SigV4 on, every Lambda API request must be
 * signed with a known access key, and the caller is that key's account in the scope's region — or,
 * for the web console, come with the cookie of a signed-in session (and, when it changes state, the
 * session's CSRF token): the session's account and region ({@link Sessions}).
 */
final class Authentication {
    static final String SERVICE = "lambda";

    private final SigV4Verifier verifier;
    private final String defaultRegion;
    private final Sessions sessions;

    private Authentication(SigV4Verifier verifier, String defaultRegion, Sessions sessions) {
        this.verifier = verifier;
        this.defaultRegion = defaultRegion;
        this.sessions = sessions;
    }

    static Authentication none(String defaultRegion) {
        return new Authentication(null, defaultRegion, null);
    }

    /** SigV4 on every request, or, for the console, a signed-in session ({@link Sessions}). */
    static Authentication sigv4(SigV4Verifier verifier, String defaultRegion, Sessions sessions) {
        return new Authentication(verifier, defaultRegion, sessions);
    }

    String defaultRegion() {
        return defaultRegion;
    }

    /** The console's sessions; null when authentication is off. */
    Sessions sessions() {
        return sessions;
    }

    /** Checks a typed-in key pair (the console's sign-in); 403 UnrecognizedClientException if it is not a key. */
    Principal signIn(String accessKeyId, String secretKey, String region) {
        try {
            return verifier.signIn(accessKeyId, secretKey, region, SERVICE);
        } catch (AuthException e) {
            throw LambdaException.of(errorCode(e.errorType()), e.getMessage());
        }
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
        if (x.header("Authorization").isEmpty() && sessions != null) {
            Optional<Sessions.Session> session = sessions.of(x);
            if (session.isPresent()) {
                Sessions.Session s = session.get();
                if (Sessions.changesState(x.method())
                        && !constantTimeEquals(x.header(Sessions.CSRF_HEADER).orElse(""), s.csrf())) {
                    throw LambdaException.of(
                            ErrorCode.ACCESS_DENIED,
                            "This request changes state and must carry the session's %s header.",
                            Sessions.CSRF_HEADER);
                }
                return s.caller();
            }
        }
        Principal p = verify(x, body, service);
        return new Caller(p.account(), p.region());
    }

    /** An S3 request's caller, the principal id its event records name, and its payload (aws-chunked decoded). */
    record S3Caller(Caller caller, String principal, byte[] payload) {}

    /**
     * The caller of an S3 request: with SigV4 on, verified as S3 signs ({@link SigV4Verifier#verifyS3}:
     * the path as sent, aws-chunked bodies chunk by chunk, presigned URLs); with it off, the default
     * account and an aws-chunked body decoded unchecked.
     *
     * @throws LambdaException 403 with AWS's error type when SigV4 is on and the request is not authentic
     */
    S3Caller s3Caller(Exchange x, byte[] body) {
        if (verifier == null) {
            byte[] payload =
                    AwsChunked.isStreaming(x.header("x-amz-content-sha256").orElse(null))
                            ? decodeUnchecked(body)
                            : body;
            Caller caller = RequestParsing.caller(x, defaultRegion);
            return new S3Caller(caller, "AWS:" + caller.account(), payload);
        }
        SignedRequest request = new SignedRequest(x.method(), x.rawPath(), x.rawQuery(), x.headers(), body);
        try {
            SigV4Verifier.S3Verified v = verifier.verifyS3(request);
            return new S3Caller(
                    new Caller(v.principal().account(), v.principal().region()),
                    "AWS:" + v.principal().accessKeyId(),
                    v.payload());
        } catch (AuthException e) {
            throw LambdaException.of(errorCode(e.errorType()), e.getMessage());
        }
    }

    private static byte[] decodeUnchecked(byte[] body) {
        try {
            return AwsChunked.decode(body, null);
        } catch (AuthException e) {
            throw LambdaException.invalid("%s", e.getMessage());
        }
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

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
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
