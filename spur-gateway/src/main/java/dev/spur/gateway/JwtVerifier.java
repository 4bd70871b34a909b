package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.gateway.JwtException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * An HTTP API JWT authorizer's token check, after "Authorizing API requests with a JWT authorizer"
 * (<em>Controlling access to HTTP APIs with JWT authorizers</em>), in the guide's order:
 * <ol>
 *   <li>the identity source holds the token alone or prefixed with {@code Bearer } ({@link #bearerToken});
 *   <li>decode it: three base64url parts, header and payload JSON objects;
 *   <li>check the algorithm and signature with the key whose {@code kid} the header names. API Gateway
 *       takes only RSA; Spur also takes ES256 and HS256 (a shared secret as an {@code oct} key, for
 *       local development). {@code none} and every other algorithm are refused, and so is a token whose
 *       {@code alg} is not the one its key is for (no HS256 token checked with an RSA key's bytes);
 *   <li>validate claims: {@code iss} equals the configured issuer; {@code aud} (a string or an array)
 *       holds one of the configured audiences, or, only when there is no {@code aud}, {@code client_id}
 *       is one (JWT authorizer troubleshooting: "API Gateway validates client_id only if aud is not
 *       present"); {@code exp} is required and must be after now; {@code nbf} and {@code iat}, when
 *       present, must not be after now. Each time check allows {@code clockSkew}; API Gateway documents
 *       none, so pass {@link Duration#ZERO} to behave like it, or a few seconds to tolerate drifting
 *       clocks between issuer and server.
 * </ol>
 * Scopes come from the {@code scope} claim (space-separated, RFC 6749 and 8693) or the {@code scp}
 * claim (an array, or a string); whether they satisfy a route is {@link VerifiedJwt#hasAnyScope}.
 *
 * <p>Thread-safe and immutable; the key set is replaced by building a new verifier.
 */
public final class JwtVerifier {
    private final String issuer;
    private final List<String> audiences;
    private final JwkSet keys;
    private final InstantSource clock;
    private final Duration clockSkew;

    /**
     * @param issuer    the exact {@code iss} accepted
     * @param audiences at least one; a token's {@code aud} (or {@code client_id}) must be one of them
     */
    public JwtVerifier(String issuer, List<String> audiences, JwkSet keys, InstantSource clock, Duration clockSkew) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.audiences = List.copyOf(audiences);
        if (this.audiences.isEmpty()) {
            throw new IllegalArgumentException("a JWT authorizer needs at least one audience");
        }
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew must not be negative, was " + clockSkew);
        }
        this.clockSkew = clockSkew;
    }

    /**
     * The token in an identity source value: after {@code Bearer } (any case) when present, else the
     * whole value, stripped.
     *
     * @throws JwtException {@link Reason#MISSING} when the value holds no token
     */
    public static String bearerToken(String identitySource) {
        String value = identitySource == null ? "" : identitySource.strip();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).strip();
        }
        if (value.isEmpty() || value.equalsIgnoreCase("Bearer")) {
            throw new JwtException(Reason.MISSING, "");
        }
        return value;
    }

    /**
     * @param token a compact JWS, without {@code Bearer }
     * @throws JwtException saying which check failed
     */
    public VerifiedJwt verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new JwtException(Reason.MALFORMED, "expected 3 parts, found " + parts.length);
        }
        JsonNode header = json(parts[0], "header");
        String alg = header.path("alg").asText("");
        if (!alg.equals("RS256") && !alg.equals("ES256") && !alg.equals("HS256")) {
            throw new JwtException(Reason.UNSUPPORTED_ALGORITHM, "alg '" + alg + "'");
        }
        String kid = header.path("kid").asText("");
        JwkSet.Jwk key = keys.find(kid).orElseThrow(() -> new JwtException(Reason.UNKNOWN_KEY, "kid '" + kid + "'"));
        if (!key.alg().equals(alg)) {
            throw new JwtException(
                    Reason.UNSUPPORTED_ALGORITHM, "key '" + kid + "' is for " + key.alg() + ", not " + alg);
        }
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!signatureValid(alg, key, signingInput, base64url(parts[2], "signature"))) {
            throw new JwtException(Reason.BAD_SIGNATURE, "");
        }
        JsonNode claims = json(parts[1], "payload");
        checkClaims(claims);
        return new VerifiedJwt(claims, scopes(claims));
    }

    private void checkClaims(JsonNode claims) {
        if (!claims.path("iss").isTextual() || !claims.get("iss").textValue().equals(issuer)) {
            throw new JwtException(Reason.WRONG_ISSUER, "iss " + claims.path("iss"));
        }
        JsonNode aud = claims.path("aud");
        List<String> presented = new ArrayList<>();
        if (aud.isArray()) {
            aud.forEach(a -> presented.add(a.asText()));
        } else if (aud.isTextual()) {
            presented.add(aud.textValue());
        } else if (claims.path("client_id").isTextual()) {
            presented.add(claims.get("client_id").textValue());
        }
        if (presented.stream().noneMatch(audiences::contains)) {
            throw new JwtException(Reason.WRONG_AUDIENCE, "aud " + aud + ", client_id " + claims.path("client_id"));
        }
        Instant now = clock.instant();
        JsonNode exp = claims.path("exp");
        if (!exp.isNumber()) {
            throw new JwtException(Reason.EXPIRED, "no numeric exp claim");
        }
        if (!now.minus(clockSkew).isBefore(instant(exp))) {
            throw new JwtException(Reason.EXPIRED, "exp " + exp + " at " + now);
        }
        checkNotAfterNow(claims.path("nbf"), now, Reason.NOT_YET_VALID);
        checkNotAfterNow(claims.path("iat"), now, Reason.ISSUED_IN_FUTURE);
    }

    private void checkNotAfterNow(JsonNode claim, Instant now, Reason reason) {
        if (claim.isMissingNode() || claim.isNull()) {
            return;
        }
        if (!claim.isNumber()) {
            throw new JwtException(Reason.MALFORMED, "time claim is not a number");
        }
        if (instant(claim).isAfter(now.plus(clockSkew))) {
            throw new JwtException(reason, claim + " at " + now);
        }
    }

    /** A NumericDate: seconds since the epoch, possibly fractional. */
    private static Instant instant(JsonNode numericDate) {
        double seconds = numericDate.asDouble();
        long whole = (long) Math.floor(seconds);
        return Instant.ofEpochSecond(whole, (long) ((seconds - whole) * 1e9));
    }

    private static boolean signatureValid(String alg, JwkSet.Jwk key, byte[] input, byte[] signature) {
        try {
            return switch (alg) {
                case "RS256" -> verify("SHA256withRSA", (PublicKey) key.key(), input, signature);
                // JOSE sends r || s, 32 bytes each (RFC 7518 3.4): the JDK's P1363 format, no DER needed.
                case "ES256" ->
                    signature.length == 64
                            && verify("SHA256withECDSAinP1363Format", (PublicKey) key.key(), input, signature);
                case "HS256" -> {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init((SecretKey) key.key());
                    yield MessageDigest.isEqual(mac.doFinal(input), signature);
                }
                default -> false;
            };
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean verify(String algorithm, PublicKey key, byte[] input, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(input);
        return verifier.verify(signature);
    }

    private static List<String> scopes(JsonNode claims) {
        List<String> scopes = new ArrayList<>();
        JsonNode scope = claims.path("scope").isMissingNode() ? claims.path("scp") : claims.path("scope");
        if (scope.isTextual()) {
            for (String s : scope.textValue().split("\\s+")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
        } else if (scope.isArray()) {
            scope.forEach(s -> scopes.add(s.asText()));
        }
        return scopes;
    }

    private static JsonNode json(String part, String what) {
        try {
            JsonNode node = Json.MAPPER.readTree(base64url(part, what));
            if (node == null || !node.isObject()) {
                throw new JwtException(Reason.MALFORMED, what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new JwtException(Reason.MALFORMED, what + " is not JSON");
        }
    }

    private static byte[] base64url(String part, String what) {
        if (part.indexOf('=') >= 0 || part.indexOf('+') >= 0 || part.indexOf('/') >= 0) {
            throw new JwtException(Reason.MALFORMED, what + " is not unpadded base64url");
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new JwtException(Reason.MALFORMED, what + " is not base64url");
        }
    }

    @Override
    public String toString() {
        return "JwtVerifier[issuer=" + issuer + ", audiences=" + audiences + ", keys=" + keys.size() + ", clockSkew="
                + clockSkew.toString().toLowerCase(Locale.ROOT) + "]";
    }
}
