package dev.spur.runtimeapi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The request line and the few headers the Runtime API needs, parsed from raw bytes into a reused
 * object (one per connection). Header names are matched case-insensitively; others are ignored.
 */
final class RequestHead {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final byte[] buffer = new byte[MAX_HEAD_BYTES];

    String method;
    String path;
    long contentLength;
    boolean chunked;
    boolean expectContinue;
    boolean connectionClose;
    String errorType;
    /** {@code Lambda-Runtime-Function-Response-Mode: streaming}: the body is passed on as it arrives. */
    boolean streaming;
    /** The request's {@code Content-Type}, or null. */
    String contentType;

    /** Reads the next request head; false at a clean end of stream between requests. */
    boolean read(InputStream in) throws IOException {
        int length = 0;
        int b;
        // Skip stray CRLFs between requests (allowed by RFC 9112).
        while ((b = in.read()) == '\r' || b == '\n') {
            // skip
        }
        if (b < 0) {
            return false;
        }
        buffer[length++] = (byte) b;
        while (true) {
            b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a request head");
            }
            if (length == MAX_HEAD_BYTES) {
                throw new IOException("request head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            buffer[length++] = (byte) b;
            if (b == '\n'
                    && length >= 4
                    && buffer[length - 2] == '\r'
                    && buffer[length - 3] == '\n'
                    && buffer[length - 4] == '\r') {
                break;
            }
            if (b == '\n' && length >= 2 && buffer[length - 2] == '\n') {
                break; // tolerate bare LF line endings
            }
        }
        parse(new String(buffer, 0, length, StandardCharsets.ISO_8859_1));
        return true;
    }

    private void parse(String text) throws IOException {
        method = null;
        path = null;
        contentLength = 0;
        chunked = false;
        expectContinue = false;
        connectionClose = false;
        errorType = null;
        streaming = false;
        contentType = null;
        int lineEnd = text.indexOf('\n');
        String requestLine = text.substring(0, lineEnd).strip();
        int sp1 = requestLine.indexOf(' ');
        int sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1) {
            throw new IOException("malformed request line");
        }
        method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        int query = target.indexOf('?');
        path = query >= 0 ? target.substring(0, query) : target;
        if (requestLine.endsWith("HTTP/1.0")) {
            connectionClose = true;
        }
        int start = lineEnd + 1;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end).strip();
            start = end + 1;
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                try {
                    contentLength = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed Content-Length");
                }
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("Expect")) {
                expectContinue = value.equalsIgnoreCase("100-continue");
            } else if (name.equalsIgnoreCase("Connection")) {
                connectionClose = value.equalsIgnoreCase("close");
            } else if (name.equalsIgnoreCase("Lambda-Runtime-Function-Error-Type")) {
                errorType = value;
            } else if (name.equalsIgnoreCase("Lambda-Runtime-Function-Response-Mode")) {
                streaming = value.equalsIgnoreCase("streaming");
            } else if (name.equalsIgnoreCase("Content-Type")) {
                contentType = value;
            }
        }
    }
}
