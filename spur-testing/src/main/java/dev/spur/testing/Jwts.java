package dev.spur.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JSON Web Tokens for tests, signed with the JDK alone: keys made in the test (RS256, ES256, HS256),
 * their JWKS, and compact JWS tokens — also the wrong ones a verifier must refuse (another key under
 * the same {@code kid}, a DER-encoded ECDSA signature, a hand-made header).
 */
public final class Jwts {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwts() {}

    /**
     * A signing key: a key pair (RS256, ES256) or a shared secret (HS256), the {@code kid} it is
     * published under and the JWS algorithm it signs with.
     */
    public record Key(String kid, String alg, KeyPair pair, byte[] secret) {
        /** A fresh 2048-bit RSA key for RS256. */
        public static Key rsa(String kid) {
            return new Key(kid, "RS256", generate("RSA", null), null);
        }

        /** A fresh P-256 key for ES256. */
        public static Key ec(String kid) {
            return new Key(kid, "ES256", generate("EC", new ECGenParameterSpec("secp256r1")), null);
        }

        /** A shared secret for HS256. */
        public static Key hmac(String kid, byte[] secret) {
            return new Key(kid, "HS256", null, secret.clone());
        }

        /** The same key material published under another {@code kid}. */
        public Key withKid(String other) {
            return new Key(other, alg, pair, secret);
        }

        /** The same key material, but tokens name (and are signed for) {@code other}. */
        public Key withAlg(String other) {
            return new Key(kid, other, pair, secret);
        }

        /** The public half as a JWK ({@code use: sig}, with {@code alg}); an HMAC key as {@code kty: oct}. */
        public ObjectNode jwk() {
            ObjectNode jwk = Json.MAPPER.createObjectNode();
            jwk.put("kid", kid).put("use", "sig").put("alg", alg);
            if (secret != null) {
                jwk.put("kty", "oct").put("k", b64(secret));
            } else if (pair.getPublic() instanceof RSAPublicKey rsa) {
                jwk.put("kty", "RSA")
                        .put("n", b64(unsigned(rsa.getModulus(), 0)))
                        .put("e", b64(unsigned(rsa.getPublicExponent(), 0)));
            } else {
                ECPublicKey ec = (ECPublicKey) pair.getPublic();
                jwk.put("kty", "EC")
                        .put("crv", "P-256")
                        .put("x", b64(unsigned(ec.getW().getAffineX(), 32)))
                        .put("y", b64(unsigned(ec.getW().getAffineY(), 32)));
            }
            return jwk;
        }

        /** A compact token with these claims, its header naming this key's {@code alg} and {@code kid}. */
        public String sign(ObjectNode claims) {
            return sign(claims.toString());
        }

        /** As {@link #sign(ObjectNode)}, the claims given as JSON text. */
        public String sign(String claimsJson) {
            String header = Json.MAPPER
                    .createObjectNode()
                    .put("alg", alg)
                    .put("typ", "JWT")
                    .put("kid", kid)
                    .toString();
            String input = b64(header) + "." + b64(claimsJson);
            return input + "." + b64(signature(input.getBytes(StandardCharsets.US_ASCII)));
        }

        /** The JWS signature of {@code input} ({@code header.payload}) by {@link #alg}; empty for an unknown one. */
        public byte[] signature(byte[] input) {
            try {
                return switch (alg) {
                    case "RS256" -> jdkSign("SHA256withRSA", pair.getPrivate(), input);
                    case "ES256" -> jdkSign("SHA256withECDSAinP1363Format", pair.getPrivate(), input);
                    case "HS256" -> {
                        Mac mac = Mac.getInstance("HmacSHA256");
                        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                        yield mac.doFinal(input);
                    }
                    default -> new byte[0];
                };
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An ECDSA signature in ASN.1 DER, as Java signs by default: what JWS does not accept. */
        public byte[] derSignature(byte[] input) {
            try {
                return jdkSign("SHA256withECDSA", pair.getPrivate(), input);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "Key[" + kid + ", " + alg + "]"; // never the secret
        }
    }

    /** {@code {"keys": [...]}} with the keys' public halves. */
    public static String jwks(Key... keys) {
        return jwks(Arrays.stream(keys).map(Key::jwk).toList());
    }

    /** {@code {"keys": [...]}} with these JWKs as they are (for odd keys a verifier must skip). */
    public static String jwks(List<ObjectNode> jwks) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray("keys");
        jwks.forEach(array::add);
        return root.toString();
    }

    /** Claims with {@code iss}, {@code aud}, {@code sub}, {@code iat} 10 s ago and {@code exp} that many seconds on. */
    public static ObjectNode claims(String issuer, String audience, long expiresInSeconds) {
        return claims(issuer, audience, expiresInSeconds, InstantSource.system());
    }

    /** As {@link #claims(String, String, long)}, at the time {@code clock} tells. */
    public static ObjectNode claims(String issuer, String audience, long expiresInSeconds, InstantSource clock) {
        long now = clock.instant().getEpochSecond();
        return Json.MAPPER
                .createObjectNode()
                .put("iss", issuer)
                .put("aud", audience)
                .put("sub", "user-123")
                .put("iat", now - 10)
                .put("exp", now + expiresInSeconds);
    }

    /** A compact token put together by hand: base64url of the header and payload as given, then the signature. */
    public static String compact(String headerJson, String payloadJson, byte[] signature) {
        return b64(headerJson) + "." + b64(payloadJson) + "." + b64(signature);
    }

    /** Base64url without padding, as JWS writes every part. */
    public static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** {@link #b64(byte[])} of UTF-8 text. */
    public static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] jdkSign(String algorithm, PrivateKey key, byte[] input) throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(input);
        return signer.sign();
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (spec == null) {
                generator.initialize(2048);
            } else {
                generator.initialize(spec);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Big-endian magnitude without a sign byte, left-padded to {@code length} when given. */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (bytes.length >= length) {
            return bytes;
        }
        byte[] padded = new byte[length];
        System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
        return padded;
    }
}
