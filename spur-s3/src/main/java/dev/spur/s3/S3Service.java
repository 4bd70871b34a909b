package dev.spur.s3;

import dev.spur.common.LambdaException;
import dev.spur.queue.ObjectIndex;
import dev.spur.queue.ObjectIndex.Bucket;
import dev.spur.sqs.QueueRef;
import dev.spur.sqs.Queues;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An S3-compatible object store with no HTTP server in it: the edge ({@code S3Api}) hands it a request
 * already authenticated and split into bucket and key (path-style or virtual-host), and sends back what
 * it answers. One method per operation, chosen here by method, bucket/key and sub-resource as S3's REST
 * API does; objects, listings and multipart uploads are their own classes.
 *
 * <p>Failure semantics of a write (PutObject, CopyObject, CompleteMultipartUpload, DeleteObject): the
 * bytes are written to a file and fsynced first ({@link ObjectFiles}), then the index row and the
 * notifications it causes are committed in one transaction ({@link ObjectIndex}); the answer is sent
 * after that. A crash before the commit leaves an unreferenced file (swept at start) and no object; one
 * after it leaves the object and its notifications, delivered at least once, whether or not the client
 * saw the 200.
 */
public final class S3Service {
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final Store store;
    private final ObjectOps objects;
    private final Listing listing;
    private final Multipart multipart;

    private S3Service(Store store) {
        this.store = store;
        this.objects = new ObjectOps(store);
        this.listing = new Listing(store);
        this.multipart = new Multipart(store);
    }

    /** How long a file no row names may be younger than and still be another node's upload in progress. */
    static final Duration SHARED_SWEEP_AGE = Duration.ofHours(1);

    /**
     * The store on {@code index} with object bytes under {@code directory}; files left by a crash (temp
     * files, files no row names) are removed now — on a directory {@code shared} with other nodes, only
     * those older than {@link #SHARED_SWEEP_AGE}.
     */
    public static S3Service create(
            ObjectIndex index,
            Path directory,
            boolean shared,
            Queues queues,
            FunctionLookup functions,
            InstantSource clock) {
        ObjectFiles files = new ObjectFiles(directory);
        Instant now = Instant.now();
        files.sweep(index.contentIds(), shared ? now.minus(SHARED_SWEEP_AGE) : now.plusSeconds(1));
        return new S3Service(new Store(index, files, queues, functions, clock));
    }

    /**
     * A request as S3 sees it.
     *
     * @param principal the caller's principal id for event records ({@code AWS:<key>})
     * @param bucket    the bucket (from the host name or the first path segment), null for the service
     * @param key       the object key, decoded; null for a bucket request
     * @param query     decoded query parameters (a parameter without a value maps to "")
     * @param headers   request headers, names in lower case, the first value of each
     * @param body      the payload (an aws-chunked body already decoded)
     */
    public record Request(
            String account,
            String region,
            String principal,
            String sourceIp,
            String method,
            String bucket,
            String key,
            Map<String, String> query,
            Map<String, String> headers,
            byte[] body) {
        public Request {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(method, "method");
            query = Map.copyOf(query);
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }

        String header(String name) {
            return headers.get(name);
        }

        boolean has(String parameter) {
            return query.containsKey(parameter);
        }

        String param(String name) {
            return query.get(name);
        }
    }

    /**
     * An answer: status, headers (Content-Type among them when there is a body) and body. For a HEAD or a
     * 304, {@code contentLength} is what {@code Content-Length} says while no body is sent.
     */
    public record Response(int status, Map<String, String> headers, byte[] body, long contentLength) {
        static Response xml(int status, byte[] body) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/xml");
            return new Response(status, headers, body, body.length);
        }

        static Response empty(int status) {
            return new Response(status, new LinkedHashMap<>(), new byte[0], 0);
        }

        static Response empty(int status, Map<String, String> headers) {
            return new Response(status, new LinkedHashMap<>(headers), new byte[0], 0);
        }
    }

    /** Runs one request; every failure becomes S3's error document. */
    public Response handle(Request r, String requestId) {
        Response response;
        try {
            response = dispatch(r, requestId);
        } catch (S3Exception e) {
            response = error(e, r.key() != null ? r.key() : r.bucket(), requestId);
            if (r.method().equals("HEAD")) {
                response = Response.empty(e.status(), response.headers());
            }
        } catch (LambdaException e) {
            response = error(
                    S3Exception.of(
                            e.code().status() == 404 ? 404 : 500,
                            e.code().status() == 404 ? "NoSuchBucket" : "InternalError",
                            e.getMessage()),
                    r.bucket(),
                    requestId);
        }
        response.headers().put("x-amz-request-id", requestId);
        response.headers().put("x-amz-id-2", S3Events.hostId(requestId));
        return response;
    }

    /** S3's {@code <Error>} document for {@code e}. */
    public Response error(S3Exception e, String resource, String requestId) {
        Xml xml = Xml.plain("Error").element("Code", e.code()).element("Message", e.getMessage());
        e.details().forEach(xml::element);
        if (resource != null && !e.details().containsKey("Key") && !e.details().containsKey("BucketName")) {
            xml.element("Resource", resource);
        }
        xml.element("RequestId", requestId).element("HostId", S3Events.hostId(requestId));
        Response response = Response.xml(e.status(), xml.end("Error"));
        response.headers().put("x-amz-request-id", requestId);
        return response;
    }

    private Response dispatch(Request r, String requestId) {
        String m = r.method();
        if (r.bucket() == null) {
            if (m.equals("GET")) {
                return listBuckets(r);
            }
            throw notImplemented();
        }
        if (r.key() == null) {
            return switch (m) {
                case "PUT" -> r.has("notification") ? putNotification(r, requestId) : createBucket(r);
                case "HEAD" -> headBucket(r);
                case "DELETE" -> deleteBucket(r);
                case "GET" -> {
                    if (r.has("notification")) {
                        yield Response.xml(
                                200,
                                NotificationConfig.fromJson(store.owned(r).notifications())
                                        .xml());
                    }
                    if (r.has("uploads")) {
                        yield multipart.listUploads(r);
                    }
                    if (r.has("location")) {
                        yield Response.xml(200, location(store.owned(r)));
                    }
                    yield "2".equals(r.param("list-type")) ? listing.listV2(r) : listing.listV1(r);
                }
                case "POST" -> {
                    if (r.has("delete")) {
                        yield objects.deleteObjects(r, requestId);
                    }
                    throw notImplemented();
                }
                default -> throw notImplemented();
            };
        }
        return switch (m) {
            case "PUT" -> {
                if (r.has("uploadId")) {
                    yield multipart.uploadPart(r);
                }
                yield r.header("x-amz-copy-source") != null ? objects.copy(r, requestId) : objects.put(r, requestId);
            }
            case "GET" -> r.has("uploadId") ? multipart.listParts(r) : objects.get(r, false);
            case "HEAD" -> objects.get(r, true);
            case "DELETE" -> r.has("uploadId") ? multipart.abort(r) : objects.delete(r, requestId);
            case "POST" -> {
                if (r.has("uploads")) {
                    yield multipart.create(r);
                }
                if (r.has("uploadId")) {
                    yield multipart.complete(r, requestId);
                }
                throw notImplemented();
            }
            default -> throw notImplemented();
        };
    }

    /** GetBucketLocation: empty for us-east-1, as S3 answers. */
    private static byte[] location(Bucket b) {
        String region = b.region().equals("us-east-1") ? "" : b.region();
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"" + Xml.NAMESPACE + "\">"
                        + region + "</LocationConstraint>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static S3Exception notImplemented() {
        return S3Exception.of(
                501, "NotImplemented", "A header or query you provided implies functionality that is not implemented.");
    }

    // ---- buckets

    private Response listBuckets(Request r) {
        Xml xml = Xml.document("ListAllMyBucketsResult")
                .open("Owner")
                .element("ID", r.account())
                .element("DisplayName", r.account())
                .close("Owner")
                .open("Buckets");
        for (Bucket b : store.index.buckets(r.account())) {
            xml.open("Bucket")
                    .element("Name", b.name())
                    .element("CreationDate", S3Events.TIME.format(b.createdAt()))
                    .close("Bucket");
        }
        return Response.xml(200, xml.close("Buckets").end("ListAllMyBucketsResult"));
    }

    private Response createBucket(Request r) {
        String name = r.bucket();
        if (!BUCKET_NAME.matcher(name).matches() || name.contains("..")) {
            throw S3Exception.of(400, "InvalidBucketName", "The specified bucket is not valid.")
                    .with("BucketName", name);
        }
        String region = r.region();
        if (r.body().length > 0) {
            String constraint = Xml.text(Xml.parse(r.body()), "LocationConstraint");
            if (constraint != null && !constraint.isBlank()) {
                region = constraint.trim();
            }
        }
        Instant now = store.clock.instant();
        var existing = store.index.createBucket(new Bucket(name, r.account(), region, now, "{}"));
        if (existing.isPresent()) {
            if (existing.get().account().equals(r.account())) {
                throw S3Exception.of(
                                409,
                                "BucketAlreadyOwnedByYou",
                                "Your previous request to create the named bucket succeeded and you already own it.")
                        .with("BucketName", name);
            }
            throw S3Exception.of(
                            409,
                            "BucketAlreadyExists",
                            "The requested bucket name is not available. The bucket namespace is shared by all users "
                                    + "of the system. Please select a different name and try again.")
                    .with("BucketName", name);
        }
        return Response.empty(200, Map.of("Location", "/" + name));
    }

    private Response headBucket(Request r) {
        Bucket b = store.owned(r);
        return Response.empty(200, Map.of("x-amz-bucket-region", b.region()));
    }

    private Response deleteBucket(Request r) {
        store.owned(r);
        return switch (store.index.deleteBucket(r.bucket())) {
            case DELETED -> Response.empty(204);
            case MISSING -> throw S3Exception.noSuchBucket(r.bucket());
            case NOT_EMPTY ->
                throw S3Exception.of(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
                        .with("BucketName", r.bucket());
        };
    }

    // ---- notifications

    private Response putNotification(Request r, String requestId) {
        Bucket b = store.owned(r);
        NotificationConfig config = NotificationConfig.parse(r.body());
        Instant now = store.clock.instant();
        List<ObjectIndex.QueueMessage> tests = new ArrayList<>();
        for (NotificationConfig.Target t : config.targets()) {
            switch (t.kind()) {
                case LAMBDA -> {
                    if (store.function(b.account(), t.arn()).isEmpty()) {
                        throw unableToValidate(t.arn(), "Not authorized to invoke function [" + t.arn() + "]");
                    }
                }
                case QUEUE -> {
                    QueueRef q = QueueRef.fromArn(t.arn())
                            .filter(ref -> ref.account().equals(b.account()))
                            .flatMap(ref -> store.queues.find(ref.arn()))
                            .orElseThrow(() -> unableToValidate(
                                    t.arn(),
                                    "Permissions on the destination queue do not "
                                            + "allow S3 to publish notifications from this bucket"));
                    if (q.fifo()) {
                        throw unableToValidate(
                                t.arn(), "FIFO queues are not supported as S3 notification destinations");
                    }
                    tests.add(Store.message(q, S3Events.testEvent(b.name(), now, requestId), now));
                }
                case TOPIC ->
                    // The seam for SNS: once Spur has topics, check the topic here and publish in Store.notifications.
                    throw S3Exception.invalidArgument(
                            "TopicConfigurations are not supported yet: Spur has no SNS topics.",
                            t.arn(),
                            "Not supported");
            }
        }
        if (!store.index.setNotifications(b.name(), config.json(), tests, now)) {
            throw S3Exception.noSuchBucket(b.name());
        }
        store.delivered(new ObjectIndex.Notifications(List.of(), tests));
        return Response.empty(200);
    }

    private static S3Exception unableToValidate(String arn, String why) {
        return S3Exception.invalidArgument("Unable to validate the following destination configurations", arn, why);
    }
}
