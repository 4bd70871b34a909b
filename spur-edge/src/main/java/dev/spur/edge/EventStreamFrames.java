package dev.spur.edge;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * AWS's event-stream binary framing ({@code application/vnd.amazon.eventstream}), the encoding side, for
 * {@code InvokeWithResponseStream}. One message:
 *
 * <pre>
 *   total length (u32) | headers length (u32) | CRC32 of those 8 bytes (u32)
 *   headers: name length (u8) | name | value type (u8, 7 = string) | value length (u16) | value  …
 *   payload
 *   CRC32 of everything before (u32)
 * </pre>
 *
 * All integers big-endian. Only string-valued headers are written: Lambda's events need no others.
 */
final class EventStreamFrames {
    private static final byte STRING = 7;
    private static final int PRELUDE = 12;
    private static final int TRAILER = 4;

    private EventStreamFrames() {}

    /** An {@code event} message of type {@code eventType} carrying {@code payload[offset, offset+length)}. */
    static byte[] event(String eventType, String contentType, byte[] payload, int offset, int length) {
        byte[][] headers = {
            header(":event-type", eventType), header(":content-type", contentType), header(":message-type", "event")
        };
        int headersLength = 0;
        for (byte[] h : headers) {
            headersLength += h.length;
        }
        int total = PRELUDE + headersLength + length + TRAILER;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(total).putInt(headersLength);
        out.putInt(crc(out.array(), 0, 8));
        for (byte[] h : headers) {
            out.put(h);
        }
        out.put(payload, offset, length);
        out.putInt(crc(out.array(), 0, total - TRAILER));
        return out.array();
    }

    private static byte[] header(String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + n.length + 1 + 2 + v.length)
                .put((byte) n.length)
                .put(n)
                .put(STRING)
                .putShort((short) v.length)
                .put(v)
                .array();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
