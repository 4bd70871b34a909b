package dev.spur.edge;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Addresses this server hands out: code package downloads (GetFunction's {@code Code.Location}) and
 * function URLs. Code links are presigned like Lambda's S3 links: they carry an expiry and an HMAC
 * under a key that lives only in this process, so a link works without credentials for ten minutes
 * (and until the server restarts) and cannot be forged or extended.
 */
final class Links {
    static final long CODE_LINK_SECONDS = 600;

    private final byte[] key;
    private final InstantSource clock;

    Links(InstantSource clock) {
        this.key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.clock = clock;
    }

    /** Links for one request: they point back at the host and port the client used. */
    Bound bind(String authority) {
        return new Bound(authority);
    }

    /** Whether a code link's expiry and signature are genuine and unexpired. */
    boolean validCodeLink(String sha, String expires, String signature) {
        long until;
        try {
            until = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return false;
        }
        return until >= clock.instant().getEpochSecond()
                && signature != null
                && MessageDigest.isEqual(
                        sign(sha, until).getBytes(StandardCharsets.US_ASCII),
                        signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String sha, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((sha + "\n" + expires).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    final class Bound {
        private final String authority;

        private Bound(String authority) {
            this.authority = authority;
        }

        String code(String sha) {
            long expires = clock.instant().getEpochSecond() + CODE_LINK_SECONDS;
            return "http://" + authority + "/spur/v1/code/" + sha + "?expires=" + expires + "&signature="
                    + sign(sha, expires);
        }

        /** {@code http://<id>.lambda-url.<region>.localhost:<port>/}: AWS's URL shape on this server's port. */
        String functionUrl(String region, String urlId) {
            int colon = authority.lastIndexOf(':');
            String port = colon > 0 && authority.indexOf(']', colon) < 0 ? authority.substring(colon) : "";
            return "http://" + urlId + ".lambda-url." + region + ".localhost" + port + "/";
        }
    }
}
