package dev.spur.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionLogTest {
    @TempDir
    Path dir;

    private final FunctionKey key = new FunctionKey("000000000000", "us-east-1", "fn");

    @Test
    void readersResumeFromAPositionAcrossSegments() throws Exception {
        LogStore store = new LogStore(dir, 100, 10);
        FunctionLog log = store.of(key);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String line = "line " + i + "\n";
            log.append(line.getBytes(StandardCharsets.UTF_8));
            all.append(line);
        }
        StringBuilder read = new StringBuilder();
        long position = log.end() - 200;
        FunctionLog.Chunk chunk;
        do {
            chunk = log.read(position, 64);
            read.append(new String(chunk.bytes(), StandardCharsets.UTF_8));
            position = chunk.next();
        } while (chunk.bytes().length > 0);
        assertThat(all.toString()).endsWith(read.toString());
        assertThat(read.toString()).endsWith("line 49\n");
    }

    @Test
    void retentionIsBoundedBySegmentCountAndSize() throws Exception {
        LogStore store = new LogStore(dir, 1000, 3);
        FunctionLog log = store.of(key);
        byte[] line = ("x".repeat(99) + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 1000; i++) {
            log.append(line);
        }
        long total;
        try (Stream<Path> files = Files.walk(dir)) {
            total = files.filter(p -> p.toString().endsWith(".log")) // the segments; their .idx files are ~0.1%
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
        assertThat(total).isLessThanOrEqualTo(3 * 1000 + 100);
        assertThat(log.end()).isEqualTo(100_000);
        FunctionLog.Chunk fromStart = log.read(0, 100);
        assertThat(fromStart.next())
                .as("old positions resume at the oldest kept byte")
                .isGreaterThan(90_000);
    }

    @Test
    void logsSurviveARestartAndKeepAppending() throws Exception {
        new LogStore(dir, 1000, 3).of(key).append("one\n".getBytes(StandardCharsets.UTF_8));
        FunctionLog reopened = new LogStore(dir, 1000, 3).of(key);
        reopened.append("two\n".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reopened.read(0, 1000).bytes(), StandardCharsets.UTF_8))
                .isEqualTo("one\ntwo\n");
    }

    @Test
    void invocationLogTailKeepsTheLastFourKilobytes() throws Exception {
        InvocationLog log = new InvocationLog(new LogStore(dir, 1 << 20, 2).of(key), "stream");
        for (int i = 0; i < 500; i++) {
            log.line("output line number " + i);
        }
        log.line("END RequestId: x");
        String tail = new String(Base64.getDecoder().decode(log.tailBase64()), StandardCharsets.UTF_8);
        assertThat(tail.length()).isLessThanOrEqualTo(InvocationLog.TAIL_BYTES);
        assertThat(tail).endsWith("output line number 499\nEND RequestId: x\n").doesNotContain("number 1\n");
        log.flush();
        String file = new String(
                new LogStore(dir, 1 << 20, 2).of(key).read(0, 1 << 20).bytes(), StandardCharsets.UTF_8);
        assertThat(file).contains(" stream output line number 0\n").contains(" stream END RequestId: x\n");
    }
}
