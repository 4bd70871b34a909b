package dev.spur.pools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An environment's stdout and stderr, which the runtime writes (O_APPEND) straight into one file.
 *
 * <p>Why a file and not a pipe: when a runtime posts its response, everything it printed before is
 * already in the file, so reading to the end of the file at that moment attributes every line to the
 * right invocation, deterministically, without a reader thread per environment (a pipe cannot be
 * drained exactly: whether a reader has consumed bytes it has not yet delivered is unobservable).
 * Output printed between invocations is collected by the pools' periodic sweep.
 *
 * <p>{@link #collect} is called from the invoking thread and from the sweep; it is synchronized.
 */
final class OutputFile implements AutoCloseable {
    private static final int MAX_LINE = 256 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final StringBuilderLine partial = new StringBuilderLine();
    private long offset;

    OutputFile(Path path) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        this.channel = FileChannel.open(
                path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    Path path() {
        return path;
    }

    /**
     * Delivers every complete line written since the last call; with {@code flushPartial}, also a
     * trailing line without its newline (at the end of an invocation).
     */
    synchronized void collect(Consumer<String> sink, boolean flushPartial) {
        try {
            long size = channel.size();
            while (offset < size) {
                buffer.clear();
                int n = channel.read(buffer, offset);
                if (n <= 0) {
                    break;
                }
                offset += n;
                byte[] bytes = buffer.array();
                int lineStart = 0;
                for (int i = 0; i < n; i++) {
                    if (bytes[i] == '\n') {
                        partial.append(bytes, lineStart, i - lineStart);
                        sink.accept(partial.take());
                        lineStart = i + 1;
                    }
                }
                partial.append(bytes, lineStart, n - lineStart);
                if (partial.length() > MAX_LINE) {
                    sink.accept(partial.take());
                }
            }
            if (flushPartial && partial.length() > 0) {
                sink.accept(partial.take());
            }
        } catch (IOException e) {
            // the environment is being torn down; its remaining output is lost with it
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort; the run directory is emptied at the next start
        }
    }

    /** Bytes of an unfinished line, decoded as UTF-8 once complete. */
    private static final class StringBuilderLine {
        private byte[] bytes = new byte[256];
        private int length;

        void append(byte[] src, int from, int count) {
            if (length + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
            }
            System.arraycopy(src, from, bytes, length, count);
            length += count;
        }

        int length() {
            return length;
        }

        String take() {
            int end = length;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            String s = new String(bytes, 0, end, StandardCharsets.UTF_8);
            length = 0;
            return s;
        }
    }
}
