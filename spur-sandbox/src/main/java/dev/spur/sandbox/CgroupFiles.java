package dev.spur.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file protocol both cgroup versions share: a knob is a file written whole, a figure a file
 * read whole, a table ({@code memory.events}, {@code cpu.stat}, v1's {@code memory.oom_control})
 * lines of {@code key value}. Reads of a cgroup that is gone give 0, as the cgroup's figures are
 * read on the way out too.
 */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, Object value) throws IOException {
        Files.writeString(file, value.toString());
    }

    /** Writes a knob the kernel may lack (no swap accounting, a v1 knob removed): then there is nothing to set. */
    static void writeIfPresent(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            // the kernel lacks it: nothing to limit
        }
    }

    /** The number in the first of {@code candidates} that can be read, else 0. */
    static long readLong(Path... candidates) {
        for (Path file : candidates) {
            try {
                return Long.parseLong(Files.readString(file).strip());
            } catch (IOException | NumberFormatException e) {
                // next candidate
            }
        }
        return 0;
    }

    /** The value of {@code key} in a table of {@code key value} lines, or 0 if it cannot be read. */
    static long readKeyed(Path file, String key) {
        String prefix = key + " ";
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    /** The values of {@code keys} in a table of {@code key value} lines (0 for a key absent), read once. */
    static long[] readTable(Path file, String... keys) {
        long[] values = new long[keys.length];
        try {
            for (String line : Files.readAllLines(file)) {
                int space = line.indexOf(' ');
                for (int i = 0; space > 0 && i < keys.length; i++) {
                    if (line.regionMatches(0, keys[i], 0, space) && keys[i].length() == space) {
                        values[i] = Long.parseLong(line.substring(space + 1).strip());
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: what was read so far
        }
        return values;
    }

    /**
     * Waits until {@code file} says {@code state} (a freeze completing): spins briefly, then polls
     * every millisecond.
     *
     * @throws IOException if it does not within 5 s, or the wait is interrupted
     */
    static void await(Path file, String state) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int spins = 0;
        while (!Files.readString(file).contains(state)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("cgroup did not reach '" + state + "' within 5 s: " + file);
            }
            if (++spins > 100) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while freezing", e);
                }
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
