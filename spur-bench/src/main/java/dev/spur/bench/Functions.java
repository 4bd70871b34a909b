package dev.spur.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** The no-op function of each runtime the benchmark measures. */
final class Functions {
    private Functions() {}

    /** A benchmarked runtime: its Lambda identifier, handler, and code package. */
    record NoOp(String label, String runtime, String handler, byte[] zip) {}

    static List<NoOp> all() {
        return List.of(
                new NoOp("python3.12", "python3.12", "noop.handler", zip("noop.py", resource("noop.py"), 0644)),
                new NoOp("nodejs20.x", "nodejs20.x", "index.handler", zip("index.mjs", resource("noop.mjs"), 0644)),
                new NoOp(
                        "java21",
                        "java21",
                        "dev.spur.bench.fn.NoOp::handleRequest",
                        zip("dev/spur/bench/fn/NoOp.class", classBytes(), 0644)),
                new NoOp(
                        "provided.al2023", "provided.al2023", "unused", zip("bootstrap", resource("bootstrap"), 0755)));
    }

    /**
     * The handler {@link PeerComparison} runs on every system: {@code index.mjs}, a no-op answering
     * {@code {statusCode: 200, body: "ok"}}, as Node.js 20 ({@code nodejs20.x}).
     */
    static NoOp peerHandler() {
        return new NoOp("nodejs20.x", "nodejs20.x", "index.handler", zip("index.mjs", peerHandlerSource(), 0644));
    }

    /** {@code index.mjs} of {@link #peerHandler()}. */
    static byte[] peerHandlerSource() {
        return resource("peer-handler.mjs");
    }

    private static byte[] resource(String name) {
        try (InputStream in = Functions.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] classBytes() {
        try (InputStream in = Functions.class.getResourceAsStream("/dev/spur/bench/fn/NoOp.class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip holding one file {@code name} (0644) with {@code source}. */
    static byte[] zipOf(String name, String source) {
        return zip(name, source.getBytes(StandardCharsets.UTF_8), 0644);
    }

    private static byte[] zip(String name, byte[] content, int mode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(0100000 | mode);
            entry.setMethod(ZipEntry.DEFLATED);
            zip.putArchiveEntry(entry);
            zip.write(content);
            zip.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
