package dev.spur.runtimeapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads an HTTP/1.1 chunked body (RFC 9112 §7.1), ignoring extensions and trailers. */
final class Chunked {
    private Chunked() {}

    /** The body, or null once it exceeds {@code limit} bytes (the rest is left unread). */
    static byte[] read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size");
            }
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailer fields: ignored
                }
                return body.toByteArray();
            }
            if (body.size() + size > limit) {
                return null;
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new IOException("connection closed inside a chunk");
            }
            body.write(chunk);
            line(in); // CRLF after the chunk data
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed inside a chunked body");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
            if (sb.length() > 8192) {
                throw new IOException("chunk line too long");
            }
        }
        return sb.toString();
    }
}
