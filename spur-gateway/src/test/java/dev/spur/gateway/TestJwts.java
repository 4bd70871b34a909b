package dev.spur.gateway;

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
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Test keys and a tiny JWT signer: base64url JSON header and payload, signed with the JDK. */
final class TestJwts {
    static final KeyPair RSA = generate("RSA", null);
    static final KeyPair EC = generate("EC", new ECGenParameterSpec("secp256r1"));
    static final byte[] SECRET = "a-shared-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.US_ASCII);

    private TestJwts() {}

    /** A JWKS holding the RSA key as {@code rsa1}, the EC key as {@code ec1} and the secret as {@code hs1}. */
    static String jwks() {
        RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
        ECPublicKey ec = (ECPublicKey) EC.getPublic();
        return """
                {"keys": [
                  {"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": "%s", "e": "%s"},
                  {"kty": "EC", "kid": "ec1", "crv": "P-256", "x": "%s", "y": "%s"},
                  {"kty": "oct", "kid": "hs1", "k": "%s"},
                  {"kty": "RSA", "kid": "enc1", "use": "enc", "n": "%s", "e": "%s"},
                  {"kty": "OKP", "kid": "ed1", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
                ]}""".formatted(
                        b64(unsigned(rsa.getModulus(), 0)),
                        b64(unsigned(rsa.getPublicExponent(), 0)),
                        b64(unsigned(ec.getW().getAffineX(), 32)),
                        b64(unsigned(ec.getW().getAffineY(), 32)),
                        b64(SECRET),
                        b64(unsigned(rsa.getModulus(), 0)),
                        b64(unsigned(rsa.getPublicExponent(), 0)));
    }

    static String sign(String alg, String kid, String payloadJson) {
        String header = "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
        String input =
                b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payloadJson.getBytes(StandardCharsets.UTF_8));
        return input + "." + b64(signature(alg, input.getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] signature(String alg, byte[] input) {
        try {
            return switch (alg) {
                case "RS256" -> jdkSign("SHA256withRSA", RSA.getPrivate(), input);
                case "ES256" -> jdkSign("SHA256withECDSAinP1363Format", EC.getPrivate(), input);
                case "ES256-DER" -> jdkSign("SHA256withECDSA", EC.getPrivate(), input);
                case "HS256" -> {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
                    yield mac.doFinal(input);
                }
                default -> new byte[0];
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] jdkSign(String algorithm, PrivateKey key, byte[] input) throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(input);
        return signer.sign();
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
}
