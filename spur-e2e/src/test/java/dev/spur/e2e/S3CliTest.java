package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 on Spur's port driven by the real AWS CLI v2: {@code aws s3} (mb, cp, ls, sync, rm, rb, a 20 MB
 * multipart copy) and {@code aws s3api} (metadata, ranges, conditional reads, listings with delimiters,
 * copies, batch deletes, multipart by hand), with keys holding spaces, {@code +}, {@code %} and
 * non-ASCII characters.
 */
@SpurTest
class S3CliTest {
    static Spur spur;

    @TempDir
    Path dir;

    private AwsCli.Result aws(String... args) throws Exception {
        return new AwsCli(spur.endpoint(), dir, Map.of()).aws(args);
    }

    private static String bucket() {
        return Spur.uniqueName("b").toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Test
    void awsS3MakesCopiesListsSyncsAndRemoves() throws Exception {
        String bucket = bucket();
        assertThat(aws("s3", "mb", "s3://" + bucket).exit()).isZero();
        Path file = dir.resolve("hello.txt");
        Files.writeString(file, "hello, s3");
        String key = "dir one/a+b%c/ünï.txt";
        AwsCli.Result cp = aws("s3", "cp", file.toString(), "s3://" + bucket + "/" + key);
        assertThat(cp.exit()).as(cp.err()).isZero();

        AwsCli.Result ls = aws("s3", "ls", "--recursive", "s3://" + bucket);
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).contains(key).contains(" 9 ");

        Path back = dir.resolve("back.txt");
        AwsCli.Result get = aws("s3", "cp", "s3://" + bucket + "/" + key, back.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(Files.readString(back)).isEqualTo("hello, s3");

        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("one.txt"), "1");
        Files.writeString(tree.resolve("sub").resolve("two words.txt"), "2");
        AwsCli.Result sync = aws("s3", "sync", tree.toString(), "s3://" + bucket + "/tree");
        assertThat(sync.exit()).as(sync.err()).isZero();
        AwsCli.Result again = aws("s3", "sync", tree.toString(), "s3://" + bucket + "/tree");
        assertThat(again.out()).as("a second sync copies nothing").doesNotContain("upload:");
        AwsCli.Result top = aws("s3", "ls", "s3://" + bucket + "/");
        assertThat(top.out()).contains("PRE dir one/").contains("PRE tree/");

        AwsCli.Result rb = aws("s3", "rb", "s3://" + bucket);
        assertThat(rb.exit()).isNotZero();
        assertThat(rb.err()).contains("BucketNotEmpty");
        AwsCli.Result rm = aws("s3", "rm", "--recursive", "s3://" + bucket);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(aws("s3", "rb", "s3://" + bucket).exit()).isZero();
        assertThat(aws("s3", "ls").out()).doesNotContain(bucket);
    }

    @Test
    void aTwentyMegabyteCopyGoesUpInPartsWithTheMultipartEtag() throws Exception {
        String bucket = bucket();
        assertThat(aws("s3", "mb", "s3://" + bucket).exit()).isZero();
        byte[] data = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Path file = dir.resolve("big.bin");
        Files.write(file, data);
        AwsCli.Result cp = aws("s3", "cp", file.toString(), "s3://" + bucket + "/big.bin");
        assertThat(cp.exit()).as(cp.err()).isZero();

        // the CLI splits at 8 MiB: 3 parts; the ETag is MD5(MD5(p1)‖MD5(p2)‖MD5(p3))-3
        MessageDigest md5s = MessageDigest.getInstance("MD5");
        int part = 8 * 1024 * 1024;
        for (int off = 0; off < data.length; off += part) {
            MessageDigest one = MessageDigest.getInstance("MD5");
            one.update(data, off, Math.min(part, data.length - off));
            md5s.update(one.digest());
        }
        String expected = "\"" + HexFormat.of().formatHex(md5s.digest()) + "-3\"";
        JsonNode head = aws("s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
                .json();
        assertThat(head.path("ETag").asText()).isEqualTo(expected);
        assertThat(head.path("ContentLength").asLong()).isEqualTo(data.length);

        Path back = dir.resolve("big.back");
        AwsCli.Result get = aws("s3", "cp", "s3://" + bucket + "/big.bin", back.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(data);
    }

    @Test
    void s3apiObjectsKeepMetadataServeRangesAndConditionsListCopyAndDeleteInBatches() throws Exception {
        String bucket = bucket();
        aws("s3api", "create-bucket", "--bucket", bucket).json();
        Path body = dir.resolve("body.txt");
        Files.writeString(body, "0123456789");
        JsonNode put = aws(
                        "s3api",
                        "put-object",
                        "--bucket",
                        bucket,
                        "--key",
                        "a/x y+z.txt",
                        "--body",
                        body.toString(),
                        "--content-type",
                        "text/plain",
                        "--cache-control",
                        "max-age=60",
                        "--content-disposition",
                        "attachment",
                        "--metadata",
                        "color=blue,shape=round")
                .json();
        String etag = put.path("ETag").asText();
        assertThat(etag).isEqualTo("\"781e5e245d69b566979b86e28d23f2c7\""); // MD5 of 0123456789

        Path part = dir.resolve("part.txt");
        JsonNode range = aws(
                        "s3api",
                        "get-object",
                        "--bucket",
                        bucket,
                        "--key",
                        "a/x y+z.txt",
                        "--range",
                        "bytes=2-4",
                        part.toString())
                .json();
        assertThat(Files.readString(part)).isEqualTo("234");
        assertThat(range.path("ContentRange").asText()).isEqualTo("bytes 2-4/10");
        assertThat(range.path("ContentType").asText()).isEqualTo("text/plain");
        assertThat(range.path("CacheControl").asText()).isEqualTo("max-age=60");
        assertThat(range.path("ContentDisposition").asText()).isEqualTo("attachment");
        assertThat(range.path("Metadata").path("color").asText()).isEqualTo("blue");

        AwsCli.Result notModified = aws(
                "s3api",
                "get-object",
                "--bucket",
                bucket,
                "--key",
                "a/x y+z.txt",
                "--if-none-match",
                etag,
                dir.resolve("nm").toString());
        assertThat(notModified.exit()).isNotZero();
        assertThat(notModified.err()).contains("304");
        AwsCli.Result failed = aws(
                "s3api",
                "get-object",
                "--bucket",
                bucket,
                "--key",
                "a/x y+z.txt",
                "--if-match",
                "\"nope\"",
                dir.resolve("pf").toString());
        assertThat(failed.err()).contains("PreconditionFailed");
        AwsCli.Result missing = aws(
                "s3api",
                "get-object",
                "--bucket",
                bucket,
                "--key",
                "nope",
                dir.resolve("n").toString());
        assertThat(missing.err()).contains("NoSuchKey");

        JsonNode copy = aws(
                        "s3api",
                        "copy-object",
                        "--bucket",
                        bucket,
                        "--key",
                        "b/copy ü.txt",
                        "--copy-source",
                        bucket + "/a/x y+z.txt")
                .json();
        assertThat(copy.path("CopyObjectResult").path("ETag").asText()).isEqualTo(etag);
        JsonNode copied = aws("s3api", "head-object", "--bucket", bucket, "--key", "b/copy ü.txt")
                .json();
        assertThat(copied.path("Metadata").path("shape").asText()).isEqualTo("round");
        aws(
                        "s3api",
                        "copy-object",
                        "--bucket",
                        bucket,
                        "--key",
                        "b/replaced.txt",
                        "--copy-source",
                        bucket + "/a/x y+z.txt",
                        "--metadata-directive",
                        "REPLACE",
                        "--metadata",
                        "only=this")
                .json();
        JsonNode replaced = aws("s3api", "head-object", "--bucket", bucket, "--key", "b/replaced.txt")
                .json();
        assertThat(replaced.path("Metadata").has("color")).isFalse();
        assertThat(replaced.path("Metadata").path("only").asText()).isEqualTo("this");

        for (int i = 0; i < 5; i++) {
            aws("s3api", "put-object", "--bucket", bucket, "--key", "c/" + i, "--body", body.toString())
                    .json();
        }
        JsonNode listed = aws("s3api", "list-objects-v2", "--bucket", bucket, "--delimiter", "/")
                .json();
        List<String> prefixes = new ArrayList<>();
        listed.path("CommonPrefixes").forEach(p -> prefixes.add(p.path("Prefix").asText()));
        assertThat(prefixes).containsExactly("a/", "b/", "c/");
        JsonNode page = aws(
                        "s3api",
                        "list-objects-v2",
                        "--bucket",
                        bucket,
                        "--prefix",
                        "c/",
                        "--max-items",
                        "2",
                        "--page-size",
                        "2")
                .json();
        assertThat(page.path("Contents")).hasSize(2);
        assertThat(page.path("NextToken").asText()).isNotEmpty();
        JsonNode rest = aws(
                        "s3api",
                        "list-objects-v2",
                        "--bucket",
                        bucket,
                        "--prefix",
                        "c/",
                        "--starting-token",
                        page.path("NextToken").asText())
                .json();
        List<String> restKeys = new ArrayList<>();
        rest.path("Contents").forEach(c -> restKeys.add(c.path("Key").asText()));
        assertThat(restKeys).containsExactly("c/2", "c/3", "c/4");

        JsonNode deleted = aws(
                        "s3api",
                        "delete-objects",
                        "--bucket",
                        bucket,
                        "--delete",
                        "{\"Objects\":[{\"Key\":\"c/0\"},{\"Key\":\"c/1\"},{\"Key\":\"a/x y+z.txt\"}]}")
                .json();
        assertThat(deleted.path("Deleted")).hasSize(3);
        JsonNode after = aws("s3api", "list-objects", "--bucket", bucket).json();
        List<String> keys = new ArrayList<>();
        after.path("Contents").forEach(c -> keys.add(c.path("Key").asText()));
        assertThat(keys).containsExactly("b/copy ü.txt", "b/replaced.txt", "c/2", "c/3", "c/4");
    }

    @Test
    void aMultipartUploadByHandListsItsPartsAndCompletes() throws Exception {
        String bucket = bucket();
        aws("s3api", "create-bucket", "--bucket", bucket).json();
        String uploadId = aws("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "m")
                .json()
                .path("UploadId")
                .asText();
        Path one = dir.resolve("one");
        byte[] first = new byte[5 * 1024 * 1024];
        new Random(1).nextBytes(first);
        Files.write(one, first);
        Path two = dir.resolve("two");
        Files.writeString(two, "tail");
        String e1 = aws(
                        "s3api",
                        "upload-part",
                        "--bucket",
                        bucket,
                        "--key",
                        "m",
                        "--upload-id",
                        uploadId,
                        "--part-number",
                        "1",
                        "--body",
                        one.toString())
                .json()
                .path("ETag")
                .asText();
        String e2 = aws(
                        "s3api",
                        "upload-part",
                        "--bucket",
                        bucket,
                        "--key",
                        "m",
                        "--upload-id",
                        uploadId,
                        "--part-number",
                        "2",
                        "--body",
                        two.toString())
                .json()
                .path("ETag")
                .asText();
        JsonNode parts = aws("s3api", "list-parts", "--bucket", bucket, "--key", "m", "--upload-id", uploadId)
                .json();
        assertThat(parts.path("Parts")).hasSize(2);
        JsonNode uploads =
                aws("s3api", "list-multipart-uploads", "--bucket", bucket).json();
        assertThat(uploads.path("Uploads").get(0).path("UploadId").asText()).isEqualTo(uploadId);
        JsonNode done = aws(
                        "s3api",
                        "complete-multipart-upload",
                        "--bucket",
                        bucket,
                        "--key",
                        "m",
                        "--upload-id",
                        uploadId,
                        "--multipart-upload",
                        "{\"Parts\":[{\"PartNumber\":1,\"ETag\":" + quote(e1) + "},{\"PartNumber\":2,\"ETag\":"
                                + quote(e2) + "}]}")
                .json();
        assertThat(done.path("ETag").asText()).endsWith("-2\"");
        Path back = dir.resolve("m.back");
        aws("s3api", "get-object", "--bucket", bucket, "--key", "m", back.toString())
                .json();
        byte[] got = Files.readAllBytes(back);
        assertThat(got).hasSize(first.length + 4);
        assertThat(new String(got, first.length, 4, StandardCharsets.UTF_8)).isEqualTo("tail");

        String aborted = aws("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "gone")
                .json()
                .path("UploadId")
                .asText();
        assertThat(aws("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", "gone", "--upload-id", aborted)
                        .exit())
                .isZero();
        assertThat(aws("s3api", "list-parts", "--bucket", bucket, "--key", "gone", "--upload-id", aborted)
                        .err())
                .contains("NoSuchUpload");
    }

    private static String quote(String etag) {
        return "\"" + etag.replace("\"", "\\\"") + "\"";
    }
}
