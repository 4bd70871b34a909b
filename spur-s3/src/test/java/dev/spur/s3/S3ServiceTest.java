package dev.spur.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.queue.EventQueue;
import dev.spur.queue.MessageStore;
import dev.spur.queue.ObjectIndex;
import dev.spur.queue.QueuedEvent;
import dev.spur.sqs.Queues;
import dev.spur.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link S3Service} on a real SQLite event queue and a real directory: objects, listings with delimiters
 * and continuation, conditional reads, the sweep of what a crash left, and a notification stored as an
 * asynchronous event in the object's own transaction.
 */
class S3ServiceTest {
    static final String ACCOUNT = "000000000000";
    static final FunctionKey FUNCTION = new FunctionKey(ACCOUNT, "us-east-1", "thumbs");

    @TempDir
    Path dir;

    FakeClock clock = FakeClock.at("2026-01-02T03:04:05Z");
    EventQueue queue;
    S3Service s3;

    @BeforeEach
    void open() {
        queue = EventQueue.sqlite(dir.resolve("queue.db"), clock);
        s3 = service();
    }

    private S3Service service() {
        return S3Service.create(
                ObjectIndex.on(queue),
                dir.resolve("s3"),
                false,
                Queues.create(MessageStore.on(queue), clock, false),
                (account, region, arn) -> arn.endsWith(":function:thumbs")
                        ? Optional.of(new FunctionLookup.Target(FUNCTION, ""))
                        : Optional.empty(),
                clock);
    }

    @AfterEach
    void close() {
        queue.close();
    }

    private S3Service.Response call(String method, String bucket, String key, Map<String, String> query, String body) {
        return call(method, bucket, key, query, Map.of(), body);
    }

    private S3Service.Response call(
            String method,
            String bucket,
            String key,
            Map<String, String> query,
            Map<String, String> headers,
            String body) {
        return s3.handle(
                new S3Service.Request(
                        ACCOUNT,
                        "us-east-1",
                        "AWS:" + ACCOUNT,
                        "127.0.0.1",
                        method,
                        bucket,
                        key,
                        query,
                        headers,
                        body == null ? null : body.getBytes(StandardCharsets.UTF_8)),
                "req-1");
    }

    private static String text(S3Service.Response r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void listingsRollKeysUpByDelimiterAndResumeAfterTheToken() {
        assertThat(call("PUT", "bkt", null, Map.of(), null).status()).isEqualTo(200);
        for (String key : List.of("a/1", "a/2", "b/1", "c", "d/x/1", "d/y")) {
            assertThat(call("PUT", "bkt", key, Map.of(), key).status()).isEqualTo(200);
        }
        String page1 =
                text(call("GET", "bkt", null, Map.of("list-type", "2", "delimiter", "/", "max-keys", "2"), null));
        assertThat(page1)
                .contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>")
                .contains("<Prefix>b/</Prefix>")
                .contains("<IsTruncated>true</IsTruncated>")
                .doesNotContain("<Key>");
        String token = page1.replaceAll("(?s).*<NextContinuationToken>(.*)</NextContinuationToken>.*", "$1");
        String page2 = text(call(
                "GET", "bkt", null, Map.of("list-type", "2", "delimiter", "/", "continuation-token", token), null));
        assertThat(page2)
                .contains("<Key>c</Key>")
                .contains("<Prefix>d/</Prefix>")
                .doesNotContain("<Prefix>a/</Prefix>")
                .contains("<IsTruncated>false</IsTruncated>");
        String nested =
                text(call("GET", "bkt", null, Map.of("list-type", "2", "prefix", "d/", "delimiter", "/"), null));
        assertThat(nested).contains("<Prefix>d/x/</Prefix>").contains("<Key>d/y</Key>");
    }

    @Test
    void conditionalReadsAnswer304And412AsS3Does() {
        call("PUT", "bkt", null, Map.of(), null);
        String etag = call("PUT", "bkt", "k", Map.of(), "hello").headers().get("ETag");
        assertThat(etag).isEqualTo("\"5d41402abc4b2a76b9719d911017c592\"");
        assertThat(call("GET", "bkt", "k", Map.of(), Map.of("if-none-match", etag), null)
                        .status())
                .isEqualTo(304);
        assertThat(call("GET", "bkt", "k", Map.of(), Map.of("if-match", "\"other\""), null)
                        .status())
                .isEqualTo(412);
        assertThat(call("GET", "bkt", "k", Map.of(), Map.of("if-modified-since", "Fri, 02 Jan 2026 03:04:05 GMT"), null)
                        .status())
                .isEqualTo(304);
        assertThat(call(
                                "GET",
                                "bkt",
                                "k",
                                Map.of(),
                                Map.of("if-unmodified-since", "Thu, 01 Jan 2026 00:00:00 GMT"),
                                null)
                        .status())
                .isEqualTo(412);
        S3Service.Response range = call("GET", "bkt", "k", Map.of(), Map.of("range", "bytes=1-"), null);
        assertThat(range.status()).isEqualTo(206);
        assertThat(text(range)).isEqualTo("ello");
        assertThat(call("GET", "bkt", "k", Map.of(), Map.of("range", "bytes=9-"), null)
                        .status())
                .isEqualTo(416);
        S3Service.Response missing = call("GET", "bkt", "nope", Map.of(), null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(text(missing))
                .contains("<Code>NoSuchKey</Code>")
                .contains("<Key>nope</Key>")
                .contains("<RequestId>req-1</RequestId>");
    }

    @Test
    void aPutStoresItsFunctionNotificationWithTheObject() throws Exception {
        call("PUT", "photos", null, Map.of(), null);
        String config = """
                <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <CloudFunctionConfiguration><Id>t</Id>
                    <CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumbs</CloudFunction>
                    <Event>s3:ObjectCreated:*</Event>
                  </CloudFunctionConfiguration>
                </NotificationConfiguration>""";
        assertThat(call("PUT", "photos", null, Map.of("notification", ""), config)
                        .status())
                .isEqualTo(200);
        call("PUT", "photos", "my photo+1.jpg", Map.of(), "jpeg");
        QueuedEvent event = queue.take(Duration.ofSeconds(5)).orElseThrow();
        assertThat(event.function()).isEqualTo(FUNCTION);
        assertThat(event.origin()).isEqualTo("s3:photos");
        JsonNode record = Json.MAPPER.readTree(event.payload()).path("Records").get(0);
        assertThat(record.path("eventName").asText()).isEqualTo("ObjectCreated:Put");
        assertThat(record.path("eventTime").asText()).isEqualTo("2026-01-02T03:04:05.000Z");
        assertThat(record.path("s3").path("configurationId").asText()).isEqualTo("t");
        assertThat(record.path("s3").path("object").path("key").asText()).isEqualTo("my+photo%2B1.jpg");
        assertThat(record.path("s3").path("object").path("size").asInt()).isEqualTo(4);

        String overlapping = config.replace("</NotificationConfiguration>", """
                  <CloudFunctionConfiguration>
                    <CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:thumbs</CloudFunction>
                    <Event>s3:ObjectCreated:Put</Event>
                  </CloudFunctionConfiguration>
                </NotificationConfiguration>""");
        S3Service.Response refused = call("PUT", "photos", null, Map.of("notification", ""), overlapping);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(text(refused)).contains("Configurations overlap");
    }

    @Test
    void whatACrashLeftBehindIsSweptAtStart() throws Exception {
        call("PUT", "bkt", null, Map.of(), null);
        call("PUT", "bkt", "kept", Map.of(), "kept");
        Path temp = dir.resolve("s3/tmp/half-written");
        Files.writeString(temp, "partial");
        Path orphan = dir.resolve("s3/objects/ff/ffffffff-orphan");
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "never indexed");
        clock.advance(Duration.ofSeconds(5));
        s3 = service();
        assertThat(temp).doesNotExist();
        assertThat(orphan).doesNotExist();
        assertThat(text(call("GET", "bkt", "kept", Map.of(), null))).isEqualTo("kept");
        Map<String, Integer> statuses = new HashMap<>();
        statuses.put("delete", call("DELETE", "bkt", null, Map.of(), null).status());
        assertThat(statuses).containsEntry("delete", 409);
    }
}
