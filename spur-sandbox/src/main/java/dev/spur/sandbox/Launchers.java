package dev.spur.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The linux sandbox's launchers: {@code /bin/sh} processes that join a fresh cgroup of their own,
 * then wait on stdin for a start to tell them the host uid, the output file and the command (a line
 * each; the command's count, then its arguments), after which they exec ({@code setpriv}, then)
 * {@code bwrap}, which reads its options from the same pipe. {@code count} of them are kept parked
 * ahead of the starts that will need them; a start whose command has a newline gets a launcher of
 * its own, with the command in argv.
 *
 * <p>A parked launcher whose Spur dies reads EOF and exits; its empty cgroup is a leftover the next
 * start removes.
 */
final class Launchers {
    /** Finds Spur's cgroup tree (once). */
    interface Tree {
        Cgroups get() throws IOException;
    }

    private final Path bwrap;
    private final int count;
    private final Tree tree;
    private final Path seccomp;
    private final ConcurrentLinkedDeque<Parked> spares = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean refilling = new AtomicBoolean();
    private volatile boolean closed;

    /** @param seccomp the filter bwrap loads from fd 4 ({@link Seccomp}), or null for none */
    Launchers(Path bwrap, int count, Tree tree, Path seccomp) {
        this.bwrap = bwrap;
        this.count = count;
        this.tree = tree;
        this.seccomp = seccomp;
    }

    /**
     * A launcher started ahead of time: {@code sh}, already in a fresh cgroup of its own, waiting on
     * its stdin for the uid, the output file and the command. Joining a cgroup is the slow part of
     * a start on cgroup v1 (the kernel waits for an RCU grace period, about 7 ms here), so it is done
     * before the start that needs it, not during it. The cgroup has no limits until the start that
     * claims it sets them, before the launcher runs anything.
     */
    record Parked(Process process, Cgroups.Group group) {}

    /** A parked launcher, or a new one if none is (then the start pays for the cgroup join). */
    Parked claim() throws IOException {
        for (Parked p; (p = spares.poll()) != null; ) {
            if (p.process().isAlive()) {
                return p;
            }
            p.group().remove();
        }
        return park(List.of());
    }

    /**
     * Starts a launcher in a new cgroup with no limits yet; the claim sets them before it runs
     * anything. With a {@code command} it runs that, else the one it reads.
     */
    Parked park(List<String> command) throws IOException {
        Cgroups.Group group = tree.get().createUnlimited(LinuxSandbox.nextId());
        try {
            StringBuilder script = new StringBuilder();
            for (Path procs : group.procsFiles()) {
                script.append("echo \"$$\" > '")
                        .append(procs.toString().replace("'", "'\\''"))
                        .append("' && ");
            }
            // dash's read takes one byte at a time from a pipe, so bwrap's options stay in it for fd 3
            script.append("IFS= read -r uid && IFS= read -r out && IFS= read -r n && { [ \"$n\" = - ] || { set -- && ")
                    .append("i=0 && while [ \"$i\" -lt \"$n\" ]; do IFS= read -r a || exit 111; set -- \"$@\" \"$a\"; ")
                    .append("i=$((i + 1)); done; }; } && exec >>\"$out\" 2>&1 && exec ");
            if (LinuxSandbox.isRoot()) {
                script.append("/usr/bin/setpriv --reuid=\"$uid\" --regid=\"$uid\" --clear-groups --inh-caps=-all ");
            }
            script.append("'")
                    .append(bwrap.toString().replace("'", "'\\''"))
                    .append("' --args 3 -- \"$@\" 3<&0 </dev/null");
            if (seccomp != null) { // opened as Spur's user, before setpriv; bwrap reads and closes it
                script.append(" 4<'")
                        .append(seccomp.toString().replace("'", "'\\''"))
                        .append("'");
            }
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "spur-launcher"));
            argv.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(argv).directory(new File("/"));
            builder.environment().clear();
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            return new Parked(builder.start(), group);
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
    }

    /** Parks launchers up to the count, on a virtual thread, unless one is at it already. */
    void refillInBackground() {
        if (count > 0 && spares.size() < count && refilling.compareAndSet(false, true)) {
            Thread.ofVirtual().name("spur-sandbox-park").start(() -> {
                try {
                    while (!closed && spares.size() < count) {
                        spares.add(park(List.of()));
                    }
                } catch (IOException | RuntimeException e) {
                    // the next start parks its own launcher and says what is wrong
                } finally {
                    refilling.set(false);
                }
                if (closed) {
                    dropSpares(); // closed while this one was parking
                }
            });
        }
    }

    List<Parked> spares() {
        return List.copyOf(spares);
    }

    /** Kills the parked launchers, removes their cgroups, and parks none from now on. */
    void close() {
        closed = true;
        dropSpares();
    }

    private void dropSpares() {
        for (Parked p; (p = spares.poll()) != null; ) {
            p.process().destroyForcibly();
            try {
                p.process().onExit().get(2, TimeUnit.SECONDS);
                p.group().remove();
            } catch (Exception e) {
                // still going: cleanUpLeftovers at the next start removes its cgroup
            }
        }
    }
}
