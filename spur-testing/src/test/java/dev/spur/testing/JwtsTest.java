package dev.spur.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The kit's tokens are what a JWS verifier expects: checked with the JDK, not with Spur's verifier. */
class JwtsTest {
    @Test
    void rsaAndEcTokensVerifyWithTheJdkAndNameTheirKey() throws Exception {
        for (Jwts.Key key : new Jwts.Key[] {Jwts.Key.rsa("r1"), Jwts.Key.ec("e1")}) {
            String token = key.sign(Jwts.claims("https://issuer", "api", 60));
            String[] parts = token.split("\\.");
            JsonNode header = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
            assertThat(header.get("kid").asText()).isEqualTo(key.kid());
            assertThat(header.get("alg").asText()).isEqualTo(key.alg());
            Signature verifier =
                    Signature.getInstance(key.alg().equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            verifier.initVerify(key.pair().getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            assertThat(verifier.verify(Base64.getUrlDecoder().decode(parts[2])))
                    .as(key.toString())
                    .isTrue();
        }
    }

    @Test
    void jwksCarriesThePublicHalvesOnly() throws Exception {
        Jwts.Key ec = Jwts.Key.ec("e1");
        Jwts.Key hmac = Jwts.Key.hmac("h1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        JsonNode keys =
                Json.MAPPER.readTree(Jwts.jwks(Jwts.Key.rsa("r1"), ec, hmac)).get("keys");
        assertThat(keys).hasSize(3);
        assertThat(keys.get(0).get("kty").asText()).isEqualTo("RSA");
        assertThat(keys.get(0).has("d")).isFalse();
        assertThat(Base64.getUrlDecoder().decode(keys.get(1).get("x").asText())).hasSize(32);
        assertThat(keys.get(2).get("kty").asText()).isEqualTo("oct");
        assertThat(hmac.toString()).doesNotContain("0123");
        assertThat(hmac.sign("{}").split("\\.")[2]).hasSize(43); // 32 bytes of HMAC-SHA256
    }
}
