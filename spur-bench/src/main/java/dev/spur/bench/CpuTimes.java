package dev.spur.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user + system) spent so far by this JVM — the Spur under test and the benchmark's own
 * clients — and by the processes it started: the runtimes of the environments. Differences over a
 * throughput run, divided by its invocations, give CPU per invocation, a figure that other load on a
 * shared machine disturbs far less than invocations per second.
 *
 * <p>Runtime processes are read from {@code /proc/<pid>/stat} (Linux; elsewhere they count as
 * zero), so a process that exits during a run takes its time with it: compare runs in which the
 * environments live throughout, as a warm throughput run's do.
 *
 * @param jvmNanos     this JVM's CPU time
 * @param runtimeNanos the CPU time of every live descendant process
 */
record CpuTimes(long jvmNanos, long runtimeNanos) {
    /** Linux reports process times in USER_HZ ticks, 100 per second on every architecture Spur runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    static CpuTimes now() {
        long jvm = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long runtimes = ProcessHandle.current()
                .descendants()
                .mapToLong(p -> ticks(p.pid()))
                .sum();
        return new CpuTimes(jvm, runtimes * NANOS_PER_TICK);
    }

    CpuTimes minus(CpuTimes earlier) {
        return new CpuTimes(jvmNanos - earlier.jvmNanos, runtimeNanos - earlier.runtimeNanos);
    }

    /** utime + stime of a process, or 0 if it is gone or /proc is not there. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
