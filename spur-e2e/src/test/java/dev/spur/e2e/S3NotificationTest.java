package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Bucket notifications end to end: the exact S3 event record on an SQS queue (after S3's
 * {@code s3:TestEvent}), prefix/suffix filters, ObjectRemoved events, overlapping configurations and topics
 * refused, a Python function invoked through the asynchronous path, and the seeds' example — an image
 * uploaded with {@code aws s3 cp} becomes a thumbnail in another bucket, made by a function with the
 * standard library and written back with boto3 (or a plain request when boto3 is missing).
 */
@SpurTest
class S3NotificationTest {
    static Spur spur;
    static S3Client s3;
    static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void clients() {
        s3 = S3Clients.pathStyle(spur.endpoint(), "spur", "spur");
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(spur.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("spur", "spur")))
                .build();
    }

    @AfterAll
    static void close() {
        s3.close();
        sqs.close();
    }

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    private static String bucket(String prefix) {
        return Spur.uniqueName(prefix).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<JsonNode> receive(String url, int expected) {
        List<JsonNode> out = new ArrayList<>();
        Await.await(expected + " messages", Duration.ofSeconds(60), () -> {
            for (var m : sqs.receiveMessage(
                            b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages()) {
                try {
                    out.add(Json.MAPPER.readTree(m.body()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
            return out.size() >= expected;
        });
        return out;
    }

    @Test
    void aQueueGetsTheTestEventThenExactRecordsForMatchingKeysOnly() throws Exception {
        String bucket = bucket("nq");
        String queue = Spur.uniqueName("s3q");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        s3.createBucket(b -> b.bucket(bucket));
        String config =
                "{\"QueueConfigurations\":[{\"Id\":\"created\",\"QueueArn\":\"arn:aws:sqs:us-east-1:000000000000:"
                        + queue + "\",\"Events\":[\"s3:ObjectCreated:*\",\"s3:ObjectRemoved:*\"],\"Filter\":{\"Key\":"
                        + "{\"FilterRules\":[{\"Name\":\"prefix\",\"Value\":\"in/\"},{\"Name\":\"suffix\",\"Value\":\".txt\"}]}}}]}";
        AwsCli.Result put = aws(
                "s3api",
                "put-bucket-notification-configuration",
                "--bucket",
                bucket,
                "--notification-configuration",
                config);
        assertThat(put.exit()).as(put.err()).isZero();
        JsonNode got = aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket)
                .json();
        JsonNode stored = got.path("QueueConfigurations").get(0);
        assertThat(stored.path("Id").asText()).isEqualTo("created");
        assertThat(stored.path("Events")).hasSize(2);
        assertThat(stored.path("Filter").path("Key").path("FilterRules")).hasSize(2);

        JsonNode test = receive(url, 1).getFirst();
        assertThat(test.path("Event").asText()).isEqualTo("s3:TestEvent");
        assertThat(test.path("Service").asText()).isEqualTo("Amazon S3");
        assertThat(test.path("Bucket").asText()).isEqualTo(bucket);

        s3.putObject(b -> b.bucket(bucket).key("out/skipped.txt"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key("in/skipped.bin"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key("in/a b+c ü.txt"), RequestBody.fromString("hello"));
        s3.deleteObject(b -> b.bucket(bucket).key("in/a b+c ü.txt"));

        List<JsonNode> records = receive(url, 2);
        assertThat(records).hasSize(2);
        JsonNode created = records.get(0).path("Records").get(0);
        assertThat(Json.MAPPER.writeValueAsString(fieldNames(created)))
                .isEqualTo("[\"eventVersion\",\"eventSource\",\"awsRegion\",\"eventTime\",\"eventName\","
                        + "\"userIdentity\",\"requestParameters\",\"responseElements\",\"s3\"]");
        assertThat(created.path("eventVersion").asText()).isEqualTo("2.1");
        assertThat(created.path("eventSource").asText()).isEqualTo("aws:s3");
        assertThat(created.path("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(created.path("eventName").asText()).isEqualTo("ObjectCreated:Put");
        assertThat(created.path("eventTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(created.path("responseElements").path("x-amz-request-id").asText())
                .isNotEmpty();
        assertThat(created.path("responseElements").path("x-amz-id-2").asText()).isNotEmpty();
        assertThat(created.path("requestParameters").path("sourceIPAddress").asText())
                .isEqualTo("127.0.0.1");
        JsonNode s3Part = created.path("s3");
        assertThat(s3Part.path("s3SchemaVersion").asText()).isEqualTo("1.0");
        assertThat(s3Part.path("configurationId").asText()).isEqualTo("created");
        assertThat(s3Part.path("bucket").path("name").asText()).isEqualTo(bucket);
        assertThat(s3Part.path("bucket").path("arn").asText()).isEqualTo("arn:aws:s3:::" + bucket);
        assertThat(s3Part.path("object").path("key").asText()).isEqualTo("in/a+b%2Bc+%C3%BC.txt");
        assertThat(s3Part.path("object").path("size").asLong()).isEqualTo(5);
        assertThat(s3Part.path("object").path("eTag").asText()).isEqualTo("5d41402abc4b2a76b9719d911017c592");
        JsonNode removed = records.get(1).path("Records").get(0);
        assertThat(removed.path("eventName").asText()).isEqualTo("ObjectRemoved:Delete");
        assertThat(removed.path("s3").path("object").has("size")).isFalse();
        assertThat(new BigInteger(
                        removed.path("s3").path("object").path("sequencer").asText(), 16))
                .as("the delete's sequencer orders after the put's")
                .isGreaterThan(
                        new BigInteger(s3Part.path("object").path("sequencer").asText(), 16));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void overlappingConfigurationsTopicsAndUnknownTargetsAreRefused() throws Exception {
        String bucket = bucket("nr");
        s3.createBucket(b -> b.bucket(bucket));
        String queue = Spur.uniqueName("s3q");
        sqs.createQueue(b -> b.queueName(queue));
        String arn = "arn:aws:sqs:us-east-1:000000000000:" + queue;
        AwsCli.Result overlap = aws(
                "s3api",
                "put-bucket-notification-configuration",
                "--bucket",
                bucket,
                "--notification-configuration",
                "{\"QueueConfigurations\":[{\"QueueArn\":\"" + arn + "\",\"Events\":[\"s3:ObjectCreated:*\"]},"
                        + "{\"QueueArn\":\"" + arn + "\",\"Events\":[\"s3:ObjectCreated:Put\"],\"Filter\":{\"Key\":"
                        + "{\"FilterRules\":[{\"Name\":\"prefix\",\"Value\":\"a/\"}]}}}]}");
        assertThat(overlap.err()).contains("InvalidArgument").contains("Configurations overlap");
        AwsCli.Result topic = aws(
                "s3api",
                "put-bucket-notification-configuration",
                "--bucket",
                bucket,
                "--notification-configuration",
                "{\"TopicConfigurations\":[{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\","
                        + "\"Events\":[\"s3:ObjectCreated:*\"]}]}");
        assertThat(topic.err()).contains("InvalidArgument").contains("TopicConfigurations");
        AwsCli.Result function = aws(
                "s3api",
                "put-bucket-notification-configuration",
                "--bucket",
                bucket,
                "--notification-configuration",
                "{\"LambdaFunctionConfigurations\":[{\"LambdaFunctionArn\":"
                        + "\"arn:aws:lambda:us-east-1:000000000000:function:no-such-function\","
                        + "\"Events\":[\"s3:ObjectCreated:*\"]}]}");
        assertThat(function.err()).contains("Unable to validate the following destination configurations");
        assertThat(aws("s3api", "get-bucket-notification-configuration", "--bucket", bucket)
                        .out()
                        .trim())
                .as("nothing was stored")
                .isIn("", "{}");
    }

    /** The seeds' thumbnail function: reads a PGM image, scales it down 4×, writes it to THUMBS. */
    static final String THUMBNAILER = """
            import json, os, urllib.parse, urllib.request
            def _raw(method, bucket, key, data=None, ctype=None):
                endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ["AWS_ENDPOINT_URL"]
                port = urllib.parse.urlparse(endpoint).port
                headers = {"Host": "%s.s3.localhost:%d" % (bucket, port)}
                if ctype:
                    headers["Content-Type"] = ctype
                req = urllib.request.Request(endpoint + "/" + urllib.parse.quote(key), data=data, method=method,
                                             headers=headers)
                return urllib.request.urlopen(req).read()
            def get(bucket, key):
                try:
                    import boto3
                except ImportError:
                    return _raw("GET", bucket, key)
                return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            def put(bucket, key, data, ctype):
                try:
                    import boto3
                except ImportError:
                    return _raw("PUT", bucket, key, data, ctype)
                boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=ctype)
            def thumbnail(pgm, factor):
                parts = pgm.split(b"\\n", 3)
                w, h = (int(x) for x in parts[1].split())
                pixels = parts[3]
                tw, th = w // factor, h // factor
                out = bytearray()
                for ty in range(th):
                    for tx in range(tw):
                        total = 0
                        for y in range(ty * factor, ty * factor + factor):
                            row = y * w
                            total += sum(pixels[row + tx * factor: row + tx * factor + factor])
                        out.append(total // (factor * factor))
                return b"P5\\n%d %d\\n255\\n" % (tw, th) + bytes(out)
            def handler(event, context):
                for r in event["Records"]:
                    bucket = r["s3"]["bucket"]["name"]
                    key = urllib.parse.unquote_plus(r["s3"]["object"]["key"])
                    put(os.environ["THUMBS"], "thumbs/" + key, thumbnail(get(bucket, key), 4), "image/x-portable-graymap")
                return {"ok": True}
            """;

    @Test
    void anImageUploadedWithTheCliBecomesAThumbnailInAnotherBucket() throws Exception {
        String photos = bucket("photos");
        String thumbs = bucket("thumbs");
        s3.createBucket(b -> b.bucket(photos));
        s3.createBucket(b -> b.bucket(thumbs));
        String function = spur.deploy(
                "thumb",
                FunctionPackage.python(THUMBNAILER),
                b -> b.timeout(60).environment(e -> e.variables(Map.of("THUMBS", thumbs))));
        String config = "{\"LambdaFunctionConfigurations\":[{\"Id\":\"thumbnails\",\"LambdaFunctionArn\":"
                + "\"arn:aws:lambda:us-east-1:000000000000:function:" + function + "\","
                + "\"Events\":[\"s3:ObjectCreated:*\"],\"Filter\":{\"Key\":{\"FilterRules\":"
                + "[{\"Name\":\"suffix\",\"Value\":\".pgm\"}]}}}]}";
        AwsCli.Result configured = aws(
                "s3api",
                "put-bucket-notification-configuration",
                "--bucket",
                photos,
                "--notification-configuration",
                config);
        assertThat(configured.exit()).as(configured.err()).isZero();

        // a 64×64 gradient: pixel (x, y) = 2x + y
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        image.write("P5\n64 64\n255\n".getBytes(StandardCharsets.US_ASCII));
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.write(2 * x + y);
            }
        }
        Path file = dir.resolve("gradient.pgm");
        Files.write(file, image.toByteArray());
        AwsCli.Result cp = aws("s3", "cp", file.toString(), "s3://" + photos + "/holiday photos/gradient ü.pgm");
        assertThat(cp.exit()).as(cp.err()).isZero();

        byte[][] thumb = new byte[1][];
        Await.await("the thumbnail", Duration.ofSeconds(90), () -> {
            try {
                thumb[0] = s3.getObjectAsBytes(b -> b.bucket(thumbs).key("thumbs/holiday photos/gradient ü.pgm"))
                        .asByteArray();
                return true;
            } catch (NoSuchKeyException e) {
                return false;
            }
        });
        String header = "P5\n16 16\n255\n";
        assertThat(new String(thumb[0], 0, header.length(), StandardCharsets.US_ASCII))
                .isEqualTo(header);
        assertThat(thumb[0]).hasSize(header.length() + 16 * 16);
        // the 4×4 block at (tx, ty) averages 2x + y over x in 4tx..4tx+3, y in 4ty..4ty+3: 8tx + 4ty + 4
        for (int ty = 0; ty < 16; ty++) {
            for (int tx = 0; tx < 16; tx++) {
                assertThat(thumb[0][header.length() + ty * 16 + tx] & 0xff).isEqualTo(8 * tx + 4 * ty + 4);
            }
        }
    }
}
