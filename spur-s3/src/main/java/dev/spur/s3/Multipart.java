package dev.spur.s3;

import dev.spur.common.LambdaException;
import dev.spur.queue.ObjectIndex.Bucket;
import dev.spur.queue.ObjectIndex.Part;
import dev.spur.queue.ObjectIndex.Upload;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.w3c.dom.Element;

/**
 * Multipart uploads: CreateMultipartUpload, UploadPart (1–10,000, each part a file of its own, durable
 * before its 200), CompleteMultipartUpload (parts in ascending order, each named with its ETag, all but the
 * last at least 5 MiB; the object is the parts' bytes concatenated into one new file, its ETag the MD5 of
 * the parts' binary MD5s followed by {@code -<number of parts>}, as AWS computes it), AbortMultipartUpload,
 * ListParts and ListMultipartUploads.
 */
final class Multipart {
    static final long MIN_PART = 5L * 1024 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final Store store;
    private final ObjectOps objects;

    Multipart(Store store) {
        this.store = store;
        this.objects = new ObjectOps(store);
    }

    S3Service.Response create(S3Service.Request r) {
        Bucket b = store.owned(r);
        ObjectOps.checkKey(r.key());
        String id = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        store.index.createUpload(new Upload(
                id, b.name(), r.key(), store.clock.instant(), ObjectOps.json(ObjectOps.metadata(r.headers()))));
        return S3Service.Response.xml(
                200,
                Xml.document("InitiateMultipartUploadResult")
                        .element("Bucket", b.name())
                        .element("Key", r.key())
                        .element("UploadId", id)
                        .end("InitiateMultipartUploadResult"));
    }

    private Upload upload(S3Service.Request r) {
        store.owned(r);
        String id = r.param("uploadId");
        return store.index
                .upload(id)
                .filter(u -> u.bucket().equals(r.bucket()) && u.key().equals(r.key()))
                .orElseThrow(() -> S3Exception.noSuchUpload(id));
    }

    S3Service.Response uploadPart(S3Service.Request r) {
        Upload u = upload(r);
        int number = partNumber(r.param("partNumber"));
        if (r.header("x-amz-copy-source") != null) {
            throw S3Exception.of(501, "NotImplemented", "UploadPartCopy is not implemented by Spur's S3.");
        }
        ObjectFiles.Written w = store.files.write(r.body());
        Optional<Part> replaced;
        try {
            replaced = store.index.putPart(
                    u.id(), new Part(number, w.size(), w.etag(), w.contentId(), store.clock.instant()));
        } catch (RuntimeException e) {
            store.files.remove(w.contentId());
            throw e instanceof LambdaException ? S3Exception.noSuchUpload(u.id()) : e;
        }
        replaced.ifPresent(p -> store.files.remove(p.contentId()));
        return S3Service.Response.empty(200, Map.of("ETag", w.etag()));
    }

    private static int partNumber(String text) {
        try {
            int n = Integer.parseInt(String.valueOf(text));
            if (n >= 1 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw S3Exception.invalidArgument(
                "Part number must be an integer between 1 and 10000, inclusive", "partNumber", String.valueOf(text));
    }

    S3Service.Response complete(S3Service.Request r, String requestId) {
        Upload u = upload(r);
        Bucket b = store.owned(r);
        Element root = Xml.parse(r.body());
        List<Element> named = Xml.children(root, "Part");
        if (!"CompleteMultipartUpload".equals(Xml.localName(root)) || named.isEmpty()) {
            throw S3Exception.malformedXml();
        }
        Map<Integer, Part> stored = new HashMap<>();
        for (Part p : store.index.parts(u.id())) {
            stored.put(p.number(), p);
        }
        List<Part> chosen = new ArrayList<>();
        int previous = 0;
        for (Element e : named) {
            int number = partNumber(Xml.text(e, "PartNumber"));
            if (number <= previous) {
                throw S3Exception.of(
                        400,
                        "InvalidPartOrder",
                        "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
            previous = number;
            Part p = stored.get(number);
            String etag = Optional.ofNullable(Xml.text(e, "ETag")).orElse("").trim();
            if (p == null || !(etag.equals(p.etag()) || ("\"" + etag + "\"").equals(p.etag()))) {
                throw S3Exception.of(
                                400,
                                "InvalidPart",
                                "One or more of the specified parts could not be found.  The part may not have been "
                                        + "uploaded, or the specified entity tag may not match the part's entity tag.")
                        .with("UploadId", u.id())
                        .with("PartNumber", Integer.toString(number))
                        .with("ETag", etag);
            }
            chosen.add(p);
        }
        for (int i = 0; i < chosen.size() - 1; i++) {
            if (chosen.get(i).size() < MIN_PART) {
                throw S3Exception.of(
                                400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
                        .with("ProposedSize", Long.toString(chosen.get(i).size()))
                        .with("MinSizeAllowed", Long.toString(MIN_PART))
                        .with("PartNumber", Integer.toString(chosen.get(i).number()))
                        .with("ETag", chosen.get(i).etag());
            }
        }
        MessageDigest md5s = ObjectFiles.md5();
        for (Part p : chosen) {
            md5s.update(HEX.parseHex(p.etag().replace("\"", "")));
        }
        String etag = "\"" + HEX.formatHex(md5s.digest()) + "-" + chosen.size() + "\"";
        ObjectFiles.Written w =
                store.files.concat(chosen.stream().map(Part::contentId).toList());
        S3Service.Request asPut = new S3Service.Request(
                r.account(),
                r.region(),
                r.principal(),
                r.sourceIp(),
                "PUT",
                r.bucket(),
                r.key(),
                Map.of(),
                Map.of(),
                null);
        Map<String, String> metadata = ObjectOps.metadata(u.metadata());
        // the object row, the upload's removal and the notifications: one transaction
        objects.completeUpload(asPut, b, u.id(), w, etag, metadata, requestId);
        for (Part p : stored.values()) {
            store.files.remove(p.contentId());
        }
        return S3Service.Response.xml(
                200,
                Xml.document("CompleteMultipartUploadResult")
                        .element("Location", "/" + b.name() + "/" + r.key())
                        .element("Bucket", b.name())
                        .element("Key", r.key())
                        .element("ETag", etag)
                        .end("CompleteMultipartUploadResult"));
    }

    S3Service.Response abort(S3Service.Request r) {
        Upload u = upload(r);
        List<Part> parts = store.index.abort(u.id()).orElseThrow(() -> S3Exception.noSuchUpload(u.id()));
        parts.forEach(p -> store.files.remove(p.contentId()));
        return S3Service.Response.empty(204);
    }

    S3Service.Response listParts(S3Service.Request r) {
        Upload u = upload(r);
        int marker = r.param("part-number-marker") == null ? 0 : partNumberOrZero(r.param("part-number-marker"));
        int max = r.param("max-parts") == null
                ? 1000
                : Math.max(0, Math.min(1000, partNumberOrZero(r.param("max-parts"))));
        List<Part> parts = store.index.parts(u.id()).stream()
                .filter(p -> p.number() > marker)
                .toList();
        boolean truncated = parts.size() > max;
        List<Part> page = truncated ? parts.subList(0, max) : parts;
        Xml xml = Xml.document("ListPartsResult")
                .element("Bucket", u.bucket())
                .element("Key", u.key())
                .element("UploadId", u.id())
                .element("PartNumberMarker", marker)
                .element(
                        "NextPartNumberMarker",
                        page.isEmpty() ? 0 : page.getLast().number())
                .element("MaxParts", max)
                .element("IsTruncated", truncated)
                .open("Initiator")
                .element("ID", r.account())
                .element("DisplayName", r.account())
                .close("Initiator")
                .open("Owner")
                .element("ID", r.account())
                .element("DisplayName", r.account())
                .close("Owner")
                .element("StorageClass", "STANDARD");
        for (Part p : page) {
            xml.open("Part")
                    .element("PartNumber", p.number())
                    .element("LastModified", S3Events.TIME.format(p.lastModified()))
                    .element("ETag", p.etag())
                    .element("Size", p.size())
                    .close("Part");
        }
        return S3Service.Response.xml(200, xml.end("ListPartsResult"));
    }

    private static int partNumberOrZero(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    S3Service.Response listUploads(S3Service.Request r) {
        Bucket b = store.owned(r);
        String prefix = r.param("prefix") == null ? "" : r.param("prefix");
        Xml xml = Xml.document("ListMultipartUploadsResult")
                .element("Bucket", b.name())
                .element("KeyMarker", "")
                .element("UploadIdMarker", "")
                .element("Prefix", prefix)
                .element("MaxUploads", 1000)
                .element("IsTruncated", false);
        for (Upload u : store.index.uploads(b.name())) {
            if (!u.key().startsWith(prefix)) {
                continue;
            }
            xml.open("Upload")
                    .element("Key", u.key())
                    .element("UploadId", u.id())
                    .open("Initiator")
                    .element("ID", b.account())
                    .element("DisplayName", b.account())
                    .close("Initiator")
                    .open("Owner")
                    .element("ID", b.account())
                    .element("DisplayName", b.account())
                    .close("Owner")
                    .element("StorageClass", "STANDARD")
                    .element("Initiated", S3Events.TIME.format(u.initiated()))
                    .close("Upload");
        }
        return S3Service.Response.xml(200, xml.end("ListMultipartUploadsResult"));
    }
}
