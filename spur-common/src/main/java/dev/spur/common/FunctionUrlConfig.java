package dev.spur.common;

import java.time.Instant;
import java.util.Objects;

/**
 * A function URL: a dedicated HTTP endpoint that invokes one function (or one alias of it).
 *
 * @param urlId     32 lower-case letters and digits; the URL's host label and path segment
 * @param qualifier an alias name, or empty for the unqualified function ({@code $LATEST})
 * @param authType  {@code NONE} or {@code AWS_IAM}
 * @param invokeMode {@code BUFFERED} or {@code RESPONSE_STREAM}
 * @param cors      null when the URL answers no CORS
 */
public record FunctionUrlConfig(
        String urlId,
        String qualifier,
        String authType,
        String invokeMode,
        CorsConfig cors,
        Instant creationTime,
        Instant lastModifiedTime) {

    public static final String AUTH_NONE = "NONE";
    public static final String AUTH_IAM = "AWS_IAM";
    /** The {@code InvokeMode} whose answers are streamed as the function produces them. */
    public static final String RESPONSE_STREAM = "RESPONSE_STREAM";

    public FunctionUrlConfig {
        Objects.requireNonNull(urlId, "urlId");
        qualifier = qualifier == null ? "" : qualifier;
        Objects.requireNonNull(authType, "authType");
        invokeMode = invokeMode == null ? "BUFFERED" : invokeMode;
        Objects.requireNonNull(creationTime, "creationTime");
        Objects.requireNonNull(lastModifiedTime, "lastModifiedTime");
    }
}
