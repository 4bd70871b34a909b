package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

/** Spur's event-stream encoder against the AWS SDK's own decoder (prelude, headers and both CRC32s). */
class EventStreamFramesTest {

    @Test
    void theSdksDecoderReadsAPayloadChunk() {
        byte[] payload = "hello, stream".getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[payload.length + 4];
        System.arraycopy(payload, 0, padded, 2, payload.length);
        Message m = Message.decode(ByteBuffer.wrap(
                EventStreamFrames.event("PayloadChunk", "application/octet-stream", padded, 2, payload.length)));
        assertThat(m.getHeaders().get(":event-type").getString()).isEqualTo("PayloadChunk");
        assertThat(m.getHeaders().get(":message-type").getString()).isEqualTo("event");
        assertThat(m.getHeaders().get(":content-type").getString()).isEqualTo("application/octet-stream");
        assertThat(m.getPayload()).isEqualTo(payload);
    }

    @Test
    void framesSplitAnywhereAreReassembledInOrder() {
        byte[] first = EventStreamFrames.event("PayloadChunk", "application/octet-stream", new byte[] {1, 2, 3}, 0, 3);
        byte[] empty = EventStreamFrames.event("PayloadChunk", "application/octet-stream", new byte[0], 0, 0);
        byte[] done = "{\"ErrorCode\":\"Error\"}".getBytes(StandardCharsets.UTF_8);
        byte[] last = EventStreamFrames.event("InvokeComplete", "application/json", done, 0, done.length);
        ByteBuffer all = ByteBuffer.allocate(first.length + empty.length + last.length)
                .put(first)
                .put(empty)
                .put(last)
                .flip();
        List<Message> messages = new ArrayList<>();
        MessageDecoder decoder = new MessageDecoder(messages::add);
        while (all.hasRemaining()) { // one byte at a time: the worst split a network can make
            decoder.feed(new byte[] {all.get()});
        }
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).getPayload()).containsExactly(1, 2, 3);
        assertThat(messages.get(1).getPayload()).isEmpty();
        assertThat(messages.get(2).getHeaders().get(":event-type").getString()).isEqualTo("InvokeComplete");
        assertThat(new String(messages.get(2).getPayload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"ErrorCode\":\"Error\"}");
    }

    @Test
    void aCorruptedFrameFailsTheSdksChecksum() {
        byte[] frame = EventStreamFrames.event("PayloadChunk", "application/octet-stream", new byte[] {9}, 0, 1);
        frame[frame.length - 5] ^= 1; // the payload byte
        assertThatThrownBy(() -> Message.decode(ByteBuffer.wrap(frame))).isInstanceOf(IllegalArgumentException.class);
    }
}
