package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * The verification keys of a JSON Web Key Set (RFC 7517), as an issuer publishes at its
 * {@code jwks_uri}. Fetching the document is the server's job; this only reads it.
 *
 * <p>Understood: {@code RSA} keys ({@code n}, {@code e}) for RS256, {@code EC} keys on
 * {@code P-256} ({@code x}, {@code y}) for ES256, and {@code oct} keys ({@code k}) for HS256. A key
 * whose {@code use} is not {@code sig}, or of another type or curve, is skipped rather than failing
 * the whole set, so an issuer that also publishes encryption or Ed25519 keys still works. A key
 * without {@code kid} can never be selected (tokens are matched by {@code kid}) and is skipped too.
 */
public final class JwkSet {
    private final List<Jwk> keys;

    /** One usable key: its id, the JWS algorithm it is for, and the JDK key. */
    record Jwk(String kid, String alg, Key key) {}

    private JwkSet(List<Jwk> keys) {
        this.keys = keys;
    }

    /**
     * @throws IllegalArgumentException when {@code json} is not a JWKS document ({@code {"keys": [...]}})
     *                                  or a key of a supported type has invalid parameters
     */
    public static JwkSet parse(String json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("JWKS is not valid JSON", e);
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("JWKS must be an object with a 'keys' array");
        }
        List<Jwk> keys = new ArrayList<>();
        for (JsonNode jwk : root.get("keys")) {
            String kid = jwk.path("kid").asText("");
            String use = jwk.path("use").asText("sig");
            if (kid.isEmpty() || !use.equals("sig")) {
                continue;
            }
            toKey(jwk, kid).ifPresent(keys::add);
        }
        return new JwkSet(List.copyOf(keys));
    }

    /** How many usable keys the set has. */
    public int size() {
        return keys.size();
    }

    Optional<Jwk> find(String kid) {
        return keys.stream().filter(k -> k.kid().equals(kid)).findFirst();
    }

    private static Optional<Jwk> toKey(JsonNode jwk, String kid) {
        try {
            return switch (jwk.path("kty").asText("")) {
                case "RSA" ->
                    Optional.of(new Jwk(
                            kid,
                            "RS256",
                            KeyFactory.getInstance("RSA")
                                    .generatePublic(new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")))));
                case "EC" -> {
                    if (!jwk.path("crv").asText("").equals("P-256")) {
                        yield Optional.empty();
                    }
                    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                    params.init(new ECGenParameterSpec("secp256r1"));
                    ECPoint point = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
                    yield Optional.of(new Jwk(
                            kid,
                            "ES256",
                            KeyFactory.getInstance("EC")
                                    .generatePublic(new ECPublicKeySpec(
                                            point, params.getParameterSpec(ECParameterSpec.class)))));
                }
                case "oct" -> Optional.of(new Jwk(kid, "HS256", new SecretKeySpec(bytes(jwk, "k"), "HmacSHA256")));
                default -> Optional.empty();
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("JWKS key '" + kid + "' has invalid parameters: " + e.getMessage(), e);
        }
    }

    private static BigInteger unsigned(JsonNode jwk, String field) {
        return new BigInteger(1, bytes(jwk, field));
    }

    private static byte[] bytes(JsonNode jwk, String field) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(jwk.path(field).asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "JWKS key '" + jwk.path("kid").asText() + "' has an invalid '" + field + "'", e);
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("JWKS key '" + jwk.path("kid").asText() + "' has no '" + field + "'");
        }
        return bytes;
    }
}
