package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.gateway.JwtException.Reason;
import dev.spur.testing.Jwts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JWT authorizer's checks, after "Authorizing API requests with a JWT authorizer". */
class JwtVerifierTest {
    private static final String ISS = "https://issuer.example.com/pool1";
    private static final long NOW = 1_700_000_000L;
    private static final Jwts.Key RSA = Jwts.Key.rsa("rsa1");
    private static final Jwts.Key EC = Jwts.Key.ec("ec1");
    private static final Jwts.Key HS =
            Jwts.Key.hmac("hs1", "a-shared-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.US_ASCII));
    /** The three signing keys (EC and oct without {@code use} or {@code alg}), an encryption key and an unknown type. */
    private static final JwkSet KEYS = JwkSet.parse(Jwts.jwks(List.of(
            RSA.jwk(),
            bare(EC.jwk()),
            bare(HS.jwk()),
            bare(RSA.withKid("enc1").jwk()).put("use", "enc"),
            Json.MAPPER
                    .createObjectNode()
                    .put("kty", "OKP")
                    .put("kid", "ed1")
                    .put("crv", "Ed25519")
                    .put("x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))));

    private static final JwtVerifier VERIFIER = verifier(Duration.ZERO);

    @ParameterizedTest
    @ValueSource(strings = {"RS256:rsa1", "ES256:ec1", "HS256:hs1"})
    void validTokenIsAcceptedWithEachAlgorithm(String algAndKid) {
        String[] parts = algAndKid.split(":");
        String token = sign(parts[0], parts[1], claims("\"aud\": \"api\", \"sub\": \"u1\""));

        VerifiedJwt jwt = VERIFIER.verify(token);

        assertThat(jwt.claims().get("sub").asText()).isEqualTo("u1");
        assertThat(jwt.scopes()).isEmpty();
    }

    @Test
    void keySetKeepsOnlySigningKeysOfKnownTypesWithAKid() {
        assertThat(KEYS.size()).isEqualTo(3);
        assertThatIllegalArgumentException().isThrownBy(() -> JwkSet.parse("{\"keys\": {}}"));
        assertThatIllegalArgumentException().isThrownBy(() -> JwkSet.parse("not json"));
        assertThatIllegalArgumentException()
                .isThrownBy(() ->
                        JwkSet.parse("{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"r\", \"n\": \"\", \"e\": \"AQAB\"}]}"))
                .withMessageContaining("'n'");
        assertThat(JwkSet.parse("{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}]}")
                        .size())
                .isZero();
    }

    @Test
    void scopesComeFromTheScopeStringOrTheScpArray() {
        VerifiedJwt fromScope = VERIFIER.verify(
                sign("RS256", "rsa1", claims("\"aud\": \"api\", \"scope\": \"pets:read  pets:write\"")));
        VerifiedJwt fromScp =
                VERIFIER.verify(sign("RS256", "rsa1", claims("\"aud\": \"api\", \"scp\": [\"pets:read\", \"admin\"]")));

        assertThat(fromScope.scopes()).containsExactly("pets:read", "pets:write");
        assertThat(fromScp.scopes()).containsExactly("pets:read", "admin");
        assertThat(fromScope.hasAnyScope(List.of("admin", "pets:write"))).isTrue();
        assertThat(fromScope.hasAnyScope(List.of("admin"))).isFalse();
        assertThat(fromScope.hasAnyScope(List.of())).isTrue();
    }

    @Test
    void audienceMayBeAnArrayAndClientIdCountsOnlyWithoutAud() {
        assertThat(VERIFIER.verify(sign("RS256", "rsa1", claims("\"aud\": [\"other\", \"web\"]"))))
                .isNotNull();
        assertThat(VERIFIER.verify(sign("RS256", "rsa1", claims("\"client_id\": \"web\""))))
                .isNotNull();
        refused(
                Reason.WRONG_AUDIENCE,
                () -> VERIFIER.verify(sign("RS256", "rsa1", claims("\"aud\": \"other\", \"client_id\": \"web\""))));
        refused(Reason.WRONG_AUDIENCE, () -> VERIFIER.verify(sign("RS256", "rsa1", claims(""))));
    }

    @Test
    void wrongIssuerIsRefused() {
        String token = sign("RS256", "rsa1", """
                {"iss": "https://evil.example.com", "aud": "api", "exp": %d}""".formatted(NOW + 60));

        refused(Reason.WRONG_ISSUER, () -> VERIFIER.verify(token));
    }

    @Test
    void expiredTokenIsRefusedAtTheExactSecondUnlessSkewAllows() {
        String token = sign("RS256", "rsa1", """
                {"iss": "%s", "aud": "api", "exp": %d}""".formatted(ISS, NOW));

        refused(Reason.EXPIRED, () -> VERIFIER.verify(token));
        assertThat(verifier(Duration.ofSeconds(5)).verify(token)).isNotNull();
        refused(
                Reason.EXPIRED,
                () -> VERIFIER.verify(sign("RS256", "rsa1", "{\"iss\": \"%s\", \"aud\": \"api\"}".formatted(ISS))));
    }

    @Test
    void notBeforeAndIssuedAtInTheFutureAreRefused() {
        String nbf = sign("ES256", "ec1", claims("\"aud\": \"api\", \"nbf\": " + (NOW + 30)));
        String iat = sign("ES256", "ec1", claims("\"aud\": \"api\", \"iat\": " + (NOW + 30)));

        refused(Reason.NOT_YET_VALID, () -> VERIFIER.verify(nbf));
        refused(Reason.ISSUED_IN_FUTURE, () -> VERIFIER.verify(iat));
        assertThat(verifier(Duration.ofSeconds(30)).verify(nbf)).isNotNull();
        assertThat(VERIFIER.verify(
                        sign("ES256", "ec1", claims("\"aud\": \"api\", \"nbf\": " + NOW + ", \"iat\": " + (NOW - 10)))))
                .isNotNull();
    }

    @Test
    void wrongSignatureAndTamperedPayloadAreRefused() {
        String token = sign("RS256", "rsa1", claims("\"aud\": \"api\", \"sub\": \"u1\""));
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "."
                + Jwts.b64(claims("\"aud\": \"api\", \"sub\": \"admin\"").getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        String otherSignature = parts[0] + "." + parts[1] + "." + Jwts.b64(new byte[256]);
        String es = sign("ES256", "ec1", claims("\"aud\": \"api\""));
        String[] esParts = es.split("\\.");
        String derSignature = esParts[0] + "." + esParts[1] + "."
                + Jwts.b64(EC.derSignature((esParts[0] + "." + esParts[1]).getBytes(StandardCharsets.US_ASCII)));

        refused(Reason.BAD_SIGNATURE, () -> VERIFIER.verify(tampered));
        refused(Reason.BAD_SIGNATURE, () -> VERIFIER.verify(otherSignature));
        refused(Reason.BAD_SIGNATURE, () -> VERIFIER.verify(derSignature));
        refused(Reason.BAD_SIGNATURE, () -> VERIFIER.verify(parts[0] + "." + parts[1] + "."));
    }

    @Test
    void algNoneAndAlgorithmKeyMismatchAreRefused() {
        String payload = Jwts.b64(claims("\"aud\": \"api\"").getBytes(StandardCharsets.UTF_8));
        String none =
                Jwts.b64("{\"alg\":\"none\",\"kid\":\"rsa1\"}".getBytes(StandardCharsets.UTF_8)) + "." + payload + ".";
        // An HS256 token keyed by the RSA key's id: the classic confusion attack.
        String confused = sign("HS256", "rsa1", claims("\"aud\": \"api\""));

        refused(Reason.UNSUPPORTED_ALGORITHM, () -> VERIFIER.verify(none));
        refused(Reason.UNSUPPORTED_ALGORITHM, () -> VERIFIER.verify(confused));
        refused(Reason.UNSUPPORTED_ALGORITHM, () -> VERIFIER.verify(sign("RS512", "rsa1", claims(""))));
    }

    @Test
    void unknownOrMissingKidIsRefused() {
        refused(Reason.UNKNOWN_KEY, () -> VERIFIER.verify(sign("RS256", "rotated", claims("\"aud\": \"api\""))));
        refused(Reason.UNKNOWN_KEY, () -> VERIFIER.verify(sign("RS256", "enc1", claims("\"aud\": \"api\""))));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "abc", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.", "W10.e30.sig", "eyJhbGciOiJSUzI1NiJ9=.e30.x"
            })
    void malformedTokensAreRefusedWithoutCrashing(String token) {
        assertThatThrownBy(() -> VERIFIER.verify(token)).isInstanceOf(JwtException.class);
    }

    @Test
    void bearerPrefixIsOptionalAndAnEmptySourceIsMissing() {
        assertThat(JwtVerifier.bearerToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
        assertThat(JwtVerifier.bearerToken("bearer  abc ")).isEqualTo("abc");
        assertThat(JwtVerifier.bearerToken("abc.def.ghi")).isEqualTo("abc.def.ghi");
        refused(Reason.MISSING, () -> JwtVerifier.bearerToken("Bearer "));
        refused(Reason.MISSING, () -> JwtVerifier.bearerToken(null));
    }

    @Test
    void descriptionIsSafeToShowAndConfigIsChecked() {
        JwtException e = new JwtException(Reason.WRONG_ISSUER, "iss \"https://evil\"");
        assertThat(e.description())
                .isEqualTo("the token does not have a valid issuer")
                .doesNotContain("evil");
        assertThat(e.getMessage()).contains("evil");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtVerifier(ISS, List.of(), KEYS, InstantSource.system(), Duration.ZERO));
        assertThatIllegalArgumentException()
                .isThrownBy(() ->
                        new JwtVerifier(ISS, List.of("api"), KEYS, InstantSource.system(), Duration.ofSeconds(-1)));
    }

    /** A token whose header says {@code alg} and {@code kid}, signed with the test key of that algorithm. */
    private static String sign(String alg, String kid, String claims) {
        Jwts.Key key = switch (alg) {
            case "ES256" -> EC;
            case "HS256" -> HS;
            default -> RSA;
        };
        return key.withAlg(alg).withKid(kid).sign(claims);
    }

    private static ObjectNode bare(ObjectNode jwk) {
        jwk.remove(List.of("use", "alg"));
        return jwk;
    }

    private static String claims(String extra) {
        return "{\"iss\": \"" + ISS + "\", \"exp\": " + (NOW + 300) + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private static JwtVerifier verifier(Duration skew) {
        return new JwtVerifier(ISS, List.of("api", "web"), KEYS, InstantSource.fixed(Instant.ofEpochSecond(NOW)), skew);
    }

    private static void refused(Reason reason, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        JwtException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
