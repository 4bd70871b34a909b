package dev.spur.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process on this host by pid and start time, read from {@code /proc}, so that a pid reused
 * meanwhile (quick on a busy machine: {@code pid_max} is often 32,768) is not taken for it.
 */
public record HostProcess(long pid, long startTicks) {
    /** The process now running as {@code pid}, if any. */
    public static Optional<HostProcess> of(long pid) {
        return stat(pid).map(s -> new HostProcess(pid, Long.parseLong(s[19])));
    }

    /** Alive, not a zombie, and still the same process. */
    public boolean running() {
        return stat(pid)
                .map(s -> Long.parseLong(s[19]) == startTicks && !s[0].equals("Z"))
                .orElse(false);
    }

    /** Its command and state ({@code "bwrap D"}), or {@code "gone"}. */
    public String describe() {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')) + " " + s.charAt(s.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return "gone";
        }
    }

    /** The fields of {@code /proc/<pid>/stat} after the command: [0] is the state, [19] the start time. */
    private static Optional<String[]> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Optional.of(s.substring(s.lastIndexOf(')') + 2).split(" "));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
