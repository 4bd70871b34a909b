package dev.spur.s3;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The S3 event notification record exactly as AWS documents it (event structure version 2.1): one record
 * per notification in {@code Records}, the key URL-encoded with {@code +} for a space, the eTag unquoted,
 * and a {@code sequencer} that grows with every change, so the order of two events of one key is the
 * order of their sequencers (compared as hex numbers). Also S3's {@code s3:TestEvent}.
 */
final class S3Events {
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final AtomicLong last = new AtomicLong();

    /**
     * The next sequencer: hex, increasing on this node; from the clock's microseconds at least, so that
     * it keeps growing across restarts.
     */
    String sequencer(Instant now) {
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long next = last.updateAndGet(prev -> Math.max(prev + 1, micros));
        return String.format("%018X", next);
    }

    /** What an event describes. */
    record Change(
            String eventName,
            String region,
            Instant time,
            String principal,
            String sourceIp,
            String requestId,
            String bucket,
            String bucketOwner,
            String key,
            long size,
            String etag,
            String sequencer) {}

    /** The {@code {"Records":[…]}} document for one target. */
    static byte[] record(Change c, String configurationId) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        ObjectNode r = records.addObject();
        r.put("eventVersion", "2.1");
        r.put("eventSource", "aws:s3");
        r.put("awsRegion", c.region());
        r.put("eventTime", TIME.format(c.time()));
        r.put("eventName", c.eventName());
        r.putObject("userIdentity").put("principalId", c.principal());
        r.putObject("requestParameters").put("sourceIPAddress", c.sourceIp());
        ObjectNode response = r.putObject("responseElements");
        response.put("x-amz-request-id", c.requestId());
        response.put("x-amz-id-2", hostId(c.requestId()));
        ObjectNode s3 = r.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", configurationId);
        ObjectNode bucket = s3.putObject("bucket");
        bucket.put("name", c.bucket());
        bucket.putObject("ownerIdentity").put("principalId", c.bucketOwner());
        bucket.put("arn", "arn:aws:s3:::" + c.bucket());
        ObjectNode object = s3.putObject("object");
        object.put("key", encodeKey(c.key()));
        if (c.eventName().startsWith("ObjectCreated:")) {
            object.put("size", c.size());
            object.put("eTag", c.etag().replace("\"", ""));
        }
        object.put("sequencer", c.sequencer());
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** S3's {@code s3:TestEvent}, sent to a queue when a configuration naming it is stored. */
    static String testEvent(String bucket, Instant time, String requestId) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("Service", "Amazon S3");
        root.put("Event", "s3:TestEvent");
        root.put("Time", TIME.format(time));
        root.put("Bucket", bucket);
        root.put("RequestId", requestId);
        root.put("HostId", hostId(requestId));
        return root.toString();
    }

    /** A key as event records carry it: form-encoded (space → {@code +}), slashes kept. */
    static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** The {@code x-amz-id-2} of a request: opaque on AWS; here derived from the request id. */
    static String hostId(String requestId) {
        return Base64.getEncoder().encodeToString(("spur/" + requestId).getBytes(StandardCharsets.UTF_8));
    }
}
