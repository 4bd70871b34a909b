package dev.spur.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.spur.common.Json;
import dev.spur.queue.ObjectIndex.Bucket;
import dev.spur.queue.ObjectIndex.Notifications;
import dev.spur.queue.ObjectIndex.StoredObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * Object operations: PutObject, GetObject/HeadObject (ranges, conditional headers), DeleteObject,
 * DeleteObjects and CopyObject. Metadata kept with an object is its content headers ({@code
 * Content-Type}, {@code Content-Encoding} without {@code aws-chunked}, {@code Cache-Control}, {@code
 * Content-Disposition}, {@code Content-Language}, {@code Expires}) and its {@code x-amz-meta-*} headers,
 * stored as one JSON object of header names to values and returned as headers.
 *
 * <p>Past 400 lines because the object operations share their commit (file → row + notifications →
 * old file removed) and their metadata rules; listings and multipart uploads are classes of their own.
 */
final class ObjectOps {
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Set<String> CONTENT_HEADERS = Set.of(
            "content-type", "content-encoding", "cache-control", "content-disposition", "content-language", "expires");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int MAX_KEY_BYTES = 1024;

    private final Store store;

    ObjectOps(Store store) {
        this.store = store;
    }

    // ---- put

    S3Service.Response put(S3Service.Request r, String requestId) {
        Bucket b = store.owned(r);
        checkKey(r.key());
        checkDigest(r);
        ObjectFiles.Written w = store.files.write(r.body());
        return commit(
                r,
                b,
                w.contentId(),
                w.size(),
                w.etag(),
                metadata(r.headers()),
                "ObjectCreated:Put",
                requestId,
                false,
                null);
    }

    /**
     * Makes a written file the object's content, with its notifications, in one transaction; removes the
     * file it replaced afterwards. If the commit fails, the new file is removed (the object is unchanged).
     */
    S3Service.Response commit(
            S3Service.Request r,
            Bucket b,
            String contentId,
            long size,
            String etag,
            Map<String, String> metadata,
            String eventName,
            String requestId,
            boolean copyResult,
            String uploadId) {
        Instant now = store.clock.instant();
        String sequencer = store.events.sequencer(now);
        StoredObject object =
                new StoredObject(b.name(), r.key(), size, etag, contentId, now, json(metadata), sequencer);
        Notifications n = store.notifications(b, r, requestId, eventName, change(r, b, requestId, eventName, object));
        Optional<StoredObject> replaced;
        try {
            replaced = uploadId == null ? store.index.put(object, n) : store.index.complete(uploadId, object, n);
        } catch (RuntimeException e) {
            store.files.remove(contentId);
            throw e;
        }
        replaced.ifPresent(old -> store.files.remove(old.contentId()));
        store.delivered(n);
        if (copyResult) {
            return S3Service.Response.xml(
                    200,
                    Xml.document("CopyObjectResult")
                            .element("LastModified", S3Events.TIME.format(now))
                            .element("ETag", etag)
                            .end("CopyObjectResult"));
        }
        return S3Service.Response.empty(200, Map.of("ETag", etag));
    }

    /** CompleteMultipartUpload's commit: the object row, the upload's removal and the notifications, one transaction. */
    void completeUpload(
            S3Service.Request r,
            Bucket b,
            String uploadId,
            ObjectFiles.Written w,
            String etag,
            Map<String, String> metadata,
            String requestId) {
        commit(
                r,
                b,
                w.contentId(),
                w.size(),
                etag,
                metadata,
                "ObjectCreated:CompleteMultipartUpload",
                requestId,
                false,
                uploadId);
    }

    static S3Events.Change change(S3Service.Request r, Bucket b, String requestId, String eventName, StoredObject o) {
        return new S3Events.Change(
                eventName,
                b.region(),
                o.lastModified(),
                r.principal(),
                r.sourceIp(),
                requestId,
                b.name(),
                b.account(),
                o.key(),
                o.size(),
                o.etag(),
                o.sequencer());
    }

    // ---- get and head

    S3Service.Response get(S3Service.Request r, boolean head) {
        store.owned(r);
        StoredObject o = store.index.object(r.bucket(), r.key()).orElseThrow(() -> S3Exception.noSuchKey(r.key()));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", o.etag());
        headers.put("Last-Modified", HTTP_DATE.format(o.lastModified()));
        headers.put("Accept-Ranges", "bytes");
        Map<String, String> metadata = metadata(o.metadata());
        headers.put("Content-Type", metadata.getOrDefault("content-type", "binary/octet-stream"));
        metadata.forEach((name, value) -> {
            if (!name.equals("content-type")) {
                headers.put(name, value);
            }
        });
        Optional<Integer> condition = conditions(r, o);
        if (condition.isPresent()) {
            if (condition.get() == 412) {
                throw S3Exception.preconditionFailed(r.header("if-match") != null ? "If-Match" : "If-Unmodified-Since");
            }
            headers.remove("Content-Type");
            return new S3Service.Response(304, headers, new byte[0], 0);
        }
        long start = 0;
        long length = o.size();
        int status = 200;
        String range = r.header("range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                long size = o.size();
                long first;
                long last;
                if (m.group(1).isEmpty()) {
                    long suffix = Long.parseLong(m.group(2));
                    first = Math.max(0, size - suffix);
                    last = size - 1;
                } else {
                    first = Long.parseLong(m.group(1));
                    last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                }
                if (first >= size || last < first || size == 0) {
                    throw S3Exception.of(416, "InvalidRange", "The requested range is not satisfiable")
                            .with("RangeRequested", range)
                            .with("ActualObjectSize", Long.toString(size));
                }
                start = first;
                length = last - first + 1;
                status = 206;
                headers.put("Content-Range", "bytes " + first + "-" + last + "/" + size);
            }
        }
        if (head) {
            return new S3Service.Response(status, headers, new byte[0], length);
        }
        if (length > Integer.MAX_VALUE - 16) {
            throw S3Exception.of(400, "InvalidRequest", "Objects over 2 GB must be read in ranges on Spur.");
        }
        byte[] body = store.files.read(o.contentId(), start, (int) length);
        return new S3Service.Response(status, headers, body, body.length);
    }

    /** 412 or 304 as S3 decides them (If-Match before If-Unmodified-Since, If-None-Match before If-Modified-Since). */
    private static Optional<Integer> conditions(S3Service.Request r, StoredObject o) {
        Instant modified = o.lastModified().truncatedTo(ChronoUnit.SECONDS);
        String ifMatch = r.header("if-match");
        if (ifMatch != null) {
            if (!etagMatches(ifMatch, o.etag())) {
                return Optional.of(412);
            }
        } else {
            Instant since = date(r.header("if-unmodified-since"));
            if (since != null && modified.isAfter(since)) {
                return Optional.of(412);
            }
        }
        String ifNoneMatch = r.header("if-none-match");
        if (ifNoneMatch != null) {
            if (etagMatches(ifNoneMatch, o.etag())) {
                return Optional.of(304);
            }
        } else {
            Instant since = date(r.header("if-modified-since"));
            if (since != null && !modified.isAfter(since)) {
                return Optional.of(304);
            }
        }
        return Optional.empty();
    }

    private static boolean etagMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals("*") || c.equals(etag) || ("\"" + c + "\"").equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** An HTTP date, or null when absent or unparseable (S3 ignores a malformed date). */
    private static Instant date(String text) {
        if (text == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ---- delete

    S3Service.Response delete(S3Service.Request r, String requestId) {
        Bucket b = store.owned(r);
        deleteKey(r, b, r.key(), requestId);
        return S3Service.Response.empty(204);
    }

    private void deleteKey(S3Service.Request r, Bucket b, String key, String requestId) {
        Instant now = store.clock.instant();
        Notifications[] made = {Notifications.NONE};
        Optional<StoredObject> deleted = store.index.delete(b.name(), key, now, o -> {
            StoredObject gone = new StoredObject(
                    o.bucket(),
                    o.key(),
                    o.size(),
                    o.etag(),
                    o.contentId(),
                    now,
                    o.metadata(),
                    store.events.sequencer(now));
            made[0] = store.notifications(
                    b, r, requestId, "ObjectRemoved:Delete", change(r, b, requestId, "ObjectRemoved:Delete", gone));
            return made[0];
        });
        deleted.ifPresent(o -> store.files.remove(o.contentId()));
        store.delivered(made[0]);
    }

    S3Service.Response deleteObjects(S3Service.Request r, String requestId) {
        Bucket b = store.owned(r);
        Element root = Xml.parse(r.body());
        if (!"Delete".equals(Xml.localName(root))) {
            throw S3Exception.malformedXml();
        }
        boolean quiet =
                "true".equalsIgnoreCase(String.valueOf(Xml.text(root, "Quiet")).trim());
        List<Element> entries = Xml.children(root, "Object");
        if (entries.isEmpty() || entries.size() > 1000) {
            throw S3Exception.malformedXml();
        }
        Xml xml = Xml.document("DeleteResult");
        for (Element e : entries) {
            String key = Xml.text(e, "Key");
            if (key == null) {
                throw S3Exception.malformedXml();
            }
            try {
                deleteKey(r, b, key, requestId);
                if (!quiet) {
                    xml.open("Deleted").element("Key", key).close("Deleted");
                }
            } catch (S3Exception failure) {
                xml.open("Error")
                        .element("Key", key)
                        .element("Code", failure.code())
                        .element("Message", failure.getMessage())
                        .close("Error");
            }
        }
        return S3Service.Response.xml(200, xml.end("DeleteResult"));
    }

    // ---- copy

    S3Service.Response copy(S3Service.Request r, String requestId) {
        Bucket target = store.owned(r);
        checkKey(r.key());
        String source = r.header("x-amz-copy-source");
        int question = source.indexOf('?');
        String path = URLDecoder.decode(
                (question < 0 ? source : source.substring(0, question)).replace("+", "%2B"), StandardCharsets.UTF_8);
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw S3Exception.invalidArgument(
                    "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                    "x-amz-copy-source",
                    source);
        }
        String sourceBucket = path.substring(0, slash);
        String sourceKey = path.substring(slash + 1);
        Bucket from = store.index.bucket(sourceBucket).orElseThrow(() -> S3Exception.noSuchBucket(sourceBucket));
        if (!from.account().equals(r.account())) {
            throw S3Exception.accessDenied();
        }
        StoredObject o =
                store.index.object(sourceBucket, sourceKey).orElseThrow(() -> S3Exception.noSuchKey(sourceKey));
        String directive =
                Optional.ofNullable(r.header("x-amz-metadata-directive")).orElse("COPY");
        if (!directive.equals("COPY") && !directive.equals("REPLACE")) {
            throw S3Exception.invalidArgument("Unknown metadata directive.", "MetadataDirective", directive);
        }
        if (directive.equals("COPY") && sourceBucket.equals(target.name()) && sourceKey.equals(r.key())) {
            throw S3Exception.of(
                    400,
                    "InvalidRequest",
                    "This copy request is illegal because it is trying to copy an object to itself without changing "
                            + "the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        Map<String, String> metadata = directive.equals("REPLACE") ? metadata(r.headers()) : metadata(o.metadata());
        ObjectFiles.Written w = store.files.concat(List.of(o.contentId()));
        return commit(
                r, target, w.contentId(), w.size(), w.etag(), metadata, "ObjectCreated:Copy", requestId, true, null);
    }

    // ---- helpers

    static void checkKey(String key) {
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw S3Exception.of(400, "KeyTooLongError", "Your key is too long");
        }
    }

    private static void checkDigest(S3Service.Request r) {
        String given = r.header("content-md5");
        if (given == null) {
            return;
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(given.trim());
        } catch (IllegalArgumentException e) {
            expected = new byte[0];
        }
        if (expected.length != 16) {
            throw S3Exception.of(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
        }
        if (!MessageDigest.isEqual(expected, ObjectFiles.md5().digest(r.body()))) {
            throw S3Exception.of(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }
    }

    /** The metadata a request sets: content headers and {@code x-amz-meta-*}, names in lower case. */
    static Map<String, String> metadata(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.startsWith("x-amz-meta-")) {
                out.put(n, value);
            } else if (CONTENT_HEADERS.contains(n)) {
                if (n.equals("content-encoding")) {
                    String encoding = withoutAwsChunked(value);
                    if (!encoding.isEmpty()) {
                        out.put(n, encoding);
                    }
                } else {
                    out.put(n, value);
                }
            }
        });
        return out;
    }

    private static String withoutAwsChunked(String encoding) {
        StringBuilder out = new StringBuilder();
        for (String part : encoding.split(",")) {
            String p = part.trim();
            if (!p.isEmpty() && !p.equalsIgnoreCase("aws-chunked")) {
                out.append(out.isEmpty() ? "" : ",").append(p);
            }
        }
        return out.toString();
    }

    static String json(Map<String, String> metadata) {
        return Json.MAPPER.valueToTree(metadata).toString();
    }

    static Map<String, String> metadata(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            Json.MAPPER
                    .readTree(json)
                    .properties()
                    .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an object's stored metadata is not readable", e);
        }
        return out;
    }
}
