package dev.spur.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An S3 error: its code ({@code NoSuchKey}), HTTP status and message, plus the elements S3 adds to its
 * {@code <Error>} document ({@code Key}, {@code BucketName}, …). Every message is safe to show the client.
 */
public final class S3Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;
    private final transient Map<String, String> details;

    S3Exception(int status, String code, String message, Map<String, String> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = new LinkedHashMap<>(details);
    }

    static S3Exception of(int status, String code, String message) {
        return new S3Exception(status, code, message, Map.of());
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** Extra elements of the error document, in order. */
    public Map<String, String> details() {
        return Map.copyOf(details);
    }

    S3Exception with(String name, String value) {
        details.put(name, value);
        return this;
    }

    /** A request body over the edge's limit. */
    public static S3Exception tooLarge(long max) {
        return of(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
                .with("MaxSizeAllowed", Long.toString(max));
    }

    /** A request that could not be read (a malformed aws-chunked body). */
    public static S3Exception invalidRequest(String message) {
        return of(400, "InvalidRequest", message);
    }

    /** A request whose signature or key was refused, with AWS's error code for it. */
    public static S3Exception forbidden(String code, String message) {
        return of(403, code, message);
    }

    static S3Exception noSuchBucket(String bucket) {
        return of(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket);
    }

    static S3Exception noSuchKey(String key) {
        return of(404, "NoSuchKey", "The specified key does not exist.").with("Key", key);
    }

    static S3Exception noSuchUpload(String uploadId) {
        return of(
                        404,
                        "NoSuchUpload",
                        "The specified upload does not exist. The upload ID may be invalid, or the upload may "
                                + "have been aborted or completed.")
                .with("UploadId", uploadId);
    }

    static S3Exception accessDenied() {
        return of(403, "AccessDenied", "Access Denied");
    }

    static S3Exception invalidArgument(String message, String name, String value) {
        return of(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value);
    }

    static S3Exception malformedXml() {
        return of(
                400,
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema");
    }

    static S3Exception preconditionFailed(String condition) {
        return of(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
                .with("Condition", condition);
    }
}
