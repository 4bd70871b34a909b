package dev.spur.e2e;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** Signing keys made in the test, their JWKS, and compact JWS tokens signed with the JDK (RS256, ES256). */
final class Jwts {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A key pair, its {@code kid} and the JWS algorithm it signs with. */
    record Key(String kid, String alg, KeyPair pair) {
        static Key rsa(String kid) {
            return new Key(kid, "RS256", generate("RSA", null));
        }

        static Key ec(String kid) {
            return new Key(kid, "ES256", generate("EC", new ECGenParameterSpec("secp256r1")));
        }

        ObjectNode jwk() {
            ObjectNode jwk = Json.MAPPER.createObjectNode();
            jwk.put("kid", kid).put("use", "sig").put("alg", alg);
            if (pair.getPublic() instanceof RSAPublicKey rsa) {
                jwk.put("kty", "RSA")
                        .put("n", unsigned(rsa.getModulus(), 0))
                        .put("e", unsigned(rsa.getPublicExponent(), 0));
            } else {
                ECPublicKey ec = (ECPublicKey) pair.getPublic();
                jwk.put("kty", "EC")
                        .put("crv", "P-256")
                        .put("x", unsigned(ec.getW().getAffineX(), 32))
                        .put("y", unsigned(ec.getW().getAffineY(), 32));
            }
            return jwk;
        }

        /** A token with these claims, its header naming this key's {@code kid}. */
        String sign(ObjectNode claims) {
            ObjectNode header = Json.MAPPER
                    .createObjectNode()
                    .put("alg", alg)
                    .put("typ", "JWT")
                    .put("kid", kid);
            String input = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                    + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
            try {
                Signature s =
                        Signature.getInstance(alg.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
                s.initSign(pair.getPrivate());
                s.update(input.getBytes(StandardCharsets.US_ASCII));
                return input + "." + B64.encodeToString(s.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Jwts() {}

    /** {@code {"keys": [...]}} with the keys' public halves. */
    static String jwks(Key... keys) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray("keys");
        for (Key k : keys) {
            array.add(k.jwk());
        }
        return root.toString();
    }

    /** Claims with {@code iss}, {@code aud}, {@code sub}, and {@code exp} that many seconds from now. */
    static ObjectNode claims(String issuer, String audience, long expiresInSeconds) {
        long now = System.currentTimeMillis() / 1000;
        return Json.MAPPER
                .createObjectNode()
                .put("iss", issuer)
                .put("aud", audience)
                .put("sub", "user-123")
                .put("iat", now - 10)
                .put("exp", now + expiresInSeconds);
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (spec != null) {
                g.initialize(spec);
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Big-endian magnitude without a sign byte, left-padded to {@code length} when given. */
    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (bytes.length < length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return B64.encodeToString(bytes);
    }
}
