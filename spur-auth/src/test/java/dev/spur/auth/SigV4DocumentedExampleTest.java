package dev.spur.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * AWS's worked example from the SigV4 documentation (IAM ListUsers, "Examples of the complete
 * Signature Version 4 signing process"), pinned with its published canonical-request hash
 * ({@code f536975d...7e1a59}) and signature.
 */
class SigV4DocumentedExampleTest {
    static final Instant AT = Instant.parse("2015-08-30T12:36:00Z");
    static final CredentialLookup KEYS = id -> id.equals("AKIDEXAMPLE")
            ? Optional.of(new Credential("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "123456789012"))
            : Optional.empty();
    private static final String SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    SignedRequest listUsers() {
        return new SignedRequest(
                "GET",
                "/",
                "Action=ListUsers&Version=2010-05-08",
                List.of(
                        Map.entry("Host", "iam.amazonaws.com"),
                        Map.entry("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                        Map.entry("X-Amz-Date", "20150830T123600Z"),
                        Map.entry(
                                "Authorization",
                                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                                        + "SignedHeaders=content-type;host;x-amz-date, Signature=" + SIGNATURE)),
                new byte[0]);
    }

    @Test
    void listUsersExampleVerifies() {
        var verifier = new SigV4Verifier(KEYS, InstantSource.fixed(AT));

        assertThat(verifier.verify(listUsers(), "iam"))
                .isEqualTo(new Principal("123456789012", "AKIDEXAMPLE", "us-east-1", "iam"));
    }

    @Test
    void canonicalPartsOfTheExample() {
        assertThat(Canonical.uri("/")).isEqualTo("/");
        assertThat(Canonical.query("Version=2010-05-08&Action=ListUsers", false))
                .isEqualTo("Action=ListUsers&Version=2010-05-08");
    }

    @Test
    void dateHeaderStandsInForXAmzDate() {
        // The same request dated by an RFC 1123 Date header: the string to sign still carries the
        // ISO 8601 basic form. Signature computed independently from the SigV4 specification.
        var dated = new SignedRequest(
                "GET",
                "/",
                "Action=ListUsers&Version=2010-05-08",
                List.of(
                        Map.entry("Host", "iam.amazonaws.com"),
                        Map.entry("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                        Map.entry("Date", "Sun, 30 Aug 2015 12:36:00 GMT"),
                        Map.entry(
                                "Authorization",
                                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                                        + "SignedHeaders=content-type;date;host, "
                                        + "Signature=f2dde47c209aab22877fa7492cca47a19240f0540842af9c37222e30a731bcde")),
                new byte[0]);

        assertThat(new SigV4Verifier(KEYS, InstantSource.fixed(AT))
                        .verify(dated, "iam")
                        .accessKeyId())
                .isEqualTo("AKIDEXAMPLE");
    }
}
