package dev.spur.edge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the log tails of several nodes into one, by time: each line of Spur's function logs starts with its
 * ISO-8601 instant (UTC, milliseconds), which sorts as text; a line without one keeps the time of the line
 * before it. Each node's lines keep their order; equal times keep the order of the inputs.
 */
final class LogLines {
    private LogLines() {}

    private record Line(String time, int source, int index, byte[] bytes) {}

    static byte[] merge(List<byte[]> tails) {
        if (tails.size() == 1) {
            return tails.getFirst();
        }
        List<Line> lines = new ArrayList<>();
        for (int source = 0; source < tails.size(); source++) {
            byte[] tail = tails.get(source);
            String time = "";
            int start = 0;
            int index = 0;
            for (int i = 0; i <= tail.length; i++) {
                if (i == tail.length || tail[i] == '\n') {
                    if (i > start) {
                        byte[] line = new byte[i - start + 1];
                        System.arraycopy(tail, start, line, 0, i - start);
                        line[line.length - 1] = '\n';
                        String head = new String(line, 0, Math.min(24, line.length), StandardCharsets.US_ASCII);
                        if (head.length() >= 20 && Character.isDigit(head.charAt(0)) && head.charAt(10) == 'T') {
                            time = head.substring(0, head.indexOf(' ') > 0 ? head.indexOf(' ') : head.length());
                        }
                        lines.add(new Line(time, source, index++, line));
                    }
                    start = i + 1;
                }
            }
        }
        lines.sort((a, b) -> {
            int byTime = a.time().compareTo(b.time());
            if (byTime != 0) {
                return byTime;
            }
            return a.source() != b.source()
                    ? Integer.compare(a.source(), b.source())
                    : Integer.compare(a.index(), b.index());
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Line l : lines) {
            out.writeBytes(l.bytes());
        }
        return out.toByteArray();
    }
}
