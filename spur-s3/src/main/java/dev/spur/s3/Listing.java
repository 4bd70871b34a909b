package dev.spur.s3;

import dev.spur.queue.ObjectIndex.StoredObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * ListObjectsV2 and ListObjects (v1): keys in UTF-8 byte order (as the index sorts them), a prefix, a
 * delimiter rolling keys up into {@code CommonPrefixes}, at most {@code max-keys} entries (keys and
 * common prefixes together, ≤ 1000), resumed after a continuation token (v2: the last entry, base64) or
 * a marker (v1), {@code start-after}, and {@code encoding-type=url}.
 */
final class Listing {
    private static final int PAGE = 1000;

    private final Store store;

    Listing(Store store) {
        this.store = store;
    }

    /** One page: keys, common prefixes, whether more follow and the last entry returned. */
    record Page(List<StoredObject> contents, List<String> commonPrefixes, boolean truncated, String last) {}

    Page page(String bucket, String prefix, String delimiter, String after, int maxKeys) {
        List<StoredObject> contents = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (maxKeys == 0) {
            return new Page(contents, prefixes, false, null);
        }
        String cursor = compare(after, prefix) < 0 ? "" : after;
        if (cursor.isEmpty() && !prefix.isEmpty()) {
            cursor = before(prefix);
        }
        // a resumed listing whose last entry was a common prefix skips that prefix's keys
        String skip = !delimiter.isEmpty() && after.endsWith(delimiter) && after.startsWith(prefix) ? after : null;
        String last = null;
        int count = 0;
        while (true) {
            List<StoredObject> batch = store.index.list(bucket, cursor, PAGE);
            for (StoredObject o : batch) {
                String key = o.key();
                cursor = key;
                if (!key.startsWith(prefix)) {
                    if (compare(key, prefix) > 0) {
                        return new Page(contents, prefixes, false, last);
                    }
                    continue;
                }
                if (skip != null && key.startsWith(skip)) {
                    continue;
                }
                String entry = key;
                boolean common = false;
                if (!delimiter.isEmpty()) {
                    int at = key.indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        entry = key.substring(0, at + delimiter.length());
                        common = true;
                    }
                }
                if (common && entry.equals(last)) {
                    continue;
                }
                if (count == maxKeys) {
                    return new Page(contents, prefixes, true, last);
                }
                if (common) {
                    prefixes.add(entry);
                    skip = entry;
                } else {
                    contents.add(o);
                }
                last = entry;
                count++;
            }
            if (batch.size() < PAGE) {
                return new Page(contents, prefixes, false, last);
            }
        }
    }

    S3Service.Response listV2(S3Service.Request r) {
        store.owned(r);
        String prefix = orEmpty(r.param("prefix"));
        String delimiter = orEmpty(r.param("delimiter"));
        int maxKeys = maxKeys(r);
        String token = r.param("continuation-token");
        String startAfter = orEmpty(r.param("start-after"));
        String after = startAfter;
        if (token != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw S3Exception.invalidArgument(
                        "The continuation token provided is incorrect", "continuation-token", token);
            }
        }
        boolean url = encoding(r);
        Page page = page(r.bucket(), prefix, delimiter, after, maxKeys);
        Xml xml = Xml.document("ListBucketResult")
                .element("Name", r.bucket())
                .element("Prefix", encode(prefix, url))
                .element("Delimiter", delimiter.isEmpty() ? null : encode(delimiter, url))
                .element("MaxKeys", maxKeys)
                .element("EncodingType", url ? "url" : null)
                .element(
                        "KeyCount",
                        page.contents().size() + page.commonPrefixes().size())
                .element("IsTruncated", page.truncated())
                .element("ContinuationToken", token)
                .element(
                        "NextContinuationToken",
                        page.truncated()
                                ? Base64.getUrlEncoder()
                                        .withoutPadding()
                                        .encodeToString(page.last().getBytes(StandardCharsets.UTF_8))
                                : null)
                .element("StartAfter", startAfter.isEmpty() ? null : encode(startAfter, url));
        contents(xml, page, url, r.has("fetch-owner") && "true".equals(r.param("fetch-owner")) ? r.account() : null);
        return S3Service.Response.xml(200, xml.end("ListBucketResult"));
    }

    S3Service.Response listV1(S3Service.Request r) {
        store.owned(r);
        String prefix = orEmpty(r.param("prefix"));
        String delimiter = orEmpty(r.param("delimiter"));
        String marker = orEmpty(r.param("marker"));
        int maxKeys = maxKeys(r);
        boolean url = encoding(r);
        Page page = page(r.bucket(), prefix, delimiter, marker, maxKeys);
        Xml xml = Xml.document("ListBucketResult")
                .element("Name", r.bucket())
                .element("Prefix", encode(prefix, url))
                .element("Marker", encode(marker, url))
                .element("NextMarker", page.truncated() ? encode(page.last(), url) : null)
                .element("MaxKeys", maxKeys)
                .element("Delimiter", delimiter.isEmpty() ? null : encode(delimiter, url))
                .element("EncodingType", url ? "url" : null)
                .element("IsTruncated", page.truncated());
        contents(xml, page, url, r.account());
        return S3Service.Response.xml(200, xml.end("ListBucketResult"));
    }

    private static void contents(Xml xml, Page page, boolean url, String owner) {
        for (StoredObject o : page.contents()) {
            xml.open("Contents")
                    .element("Key", encode(o.key(), url))
                    .element("LastModified", S3Events.TIME.format(o.lastModified()))
                    .element("ETag", o.etag())
                    .element("Size", o.size())
                    .element("StorageClass", "STANDARD");
            if (owner != null) {
                xml.open("Owner")
                        .element("ID", owner)
                        .element("DisplayName", owner)
                        .close("Owner");
            }
            xml.close("Contents");
        }
        for (String p : page.commonPrefixes()) {
            xml.open("CommonPrefixes").element("Prefix", encode(p, url)).close("CommonPrefixes");
        }
    }

    private static int maxKeys(S3Service.Request r) {
        String text = r.param("max-keys");
        if (text == null) {
            return PAGE;
        }
        try {
            int n = Integer.parseInt(text);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, PAGE);
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument(
                    "Provided max-keys not an integer or within integer range", "max-keys", text);
        }
    }

    private static boolean encoding(S3Service.Request r) {
        String type = r.param("encoding-type");
        if (type != null && !type.equals("url")) {
            throw S3Exception.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", type);
        }
        return type != null;
    }

    /** {@code encoding-type=url}: as S3 encodes keys there (space as {@code +}, slashes kept). */
    private static String encode(String text, boolean url) {
        return url ? URLEncoder.encode(text, StandardCharsets.UTF_8).replace("%2F", "/") : text;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A string just below {@code s} in byte order, so that a listing from it includes {@code s} itself. */
    private static String before(String s) {
        return s.substring(0, s.length() - 1);
    }

    /** Compares as UTF-8 bytes, the order S3 (and the index) lists keys in. */
    static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
