package dev.spur.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A sandboxed environment. Its pid is bwrap's (outside every namespace); the function runs
 * beneath it. When bwrap exits (the function exited, or was killed) the kernel has already
 * killed the rest of the pid namespace; the exit handler then records peak memory and OOM kills,
 * removes the cgroup and gives the host uid back, before {@link #onExit()} completes.
 */
final class Jailed implements SandboxedProcess {
    private final Process process;
    private final Cgroups.Group group;
    private final HostUids.Lease lease;
    private final Cgroups.Limits limits;
    private final int hostUid;
    private final CompletableFuture<ExitStatus> exit;
    private volatile boolean ended;
    private volatile long peak;
    private volatile boolean oom;

    Jailed(Process process, Cgroups.Group group, HostUids.Lease lease, Cgroups.Limits limits) {
        this.process = process;
        this.group = group;
        this.lease = lease;
        this.limits = limits;
        this.hostUid = lease != null ? lease.uid() : LinuxSandbox.ownUid();
        this.exit = process.onExit().thenApply(p -> finish(p.exitValue()));
    }

    private ExitStatus finish(int value) {
        group.killAll(); // anything the namespace's death left (there should be none)
        peak = Math.max(peak, group.peakMemoryBytes());
        oom = group.oomKills() > 0;
        ended = true;
        try {
            group.remove();
            if (lease != null) {
                lease.close(); // only now: no process of the environment is left to run as the uid
            }
        } catch (IOException e) {
            // still busy after 2 s: cleanUpLeftovers at the next start removes it; the uid stays
            // held until this Spur exits, so no new environment shares it with a straggler
        }
        // bwrap, like the JDK, reports the function's death by signal N as 128 + N.
        return value > 128 && value < 160 ? new ExitStatus(value, value - 128) : new ExitStatus(value, 0);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public int hostUid() {
        return hostUid;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public long peakMemoryBytes() {
        if (!ended) {
            long now = group.peakMemoryBytes();
            if (!ended) {
                peak = Math.max(peak, now);
            }
        }
        return peak;
    }

    @Override
    public boolean oomKilled() {
        return ended ? oom : group.oomKills() > 0;
    }

    /** @throws UncheckedIOException if the quota could not be set while the process runs */
    @Override
    public void limitCpu() {
        whileRunning(() -> group.limitCpu(limits.cpu()));
    }

    /** @throws UncheckedIOException if the freeze could not be asked for while the process runs */
    @Override
    public void freeze() {
        whileRunning(group::requestFreeze);
    }

    @Override
    public void thaw() {
        whileRunning(group::thaw);
    }

    /** A cgroup write that may fail only because the environment has just ended. */
    private interface CgroupWrite {
        void run() throws IOException;
    }

    private void whileRunning(CgroupWrite write) {
        try {
            write.run();
        } catch (IOException e) {
            if (!ended && process.isAlive()) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Kills everything in the cgroup, then bwrap. Idempotent; does not wait. */
    @Override
    public void kill() {
        if (!ended) {
            group.killAll();
        }
        process.destroyForcibly();
    }

    @Override
    public void awaitFrozen() throws IOException {
        group.awaitFrozen();
    }

    /** CPU time used by everything in the environment so far (0 once it has ended). */
    long cpuNanos() {
        return group.cpuNanos();
    }

    @Override
    public CpuThrottling cpuThrottling() {
        return group.cpuThrottling();
    }

    String cgroupId() {
        return group.id();
    }

    List<Path> cgroupDirs() {
        return group.dirs();
    }
}
