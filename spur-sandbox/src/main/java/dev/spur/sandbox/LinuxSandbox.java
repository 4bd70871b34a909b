package dev.spur.sandbox;

import dev.spur.runtimeapi.RuntimeApiHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs each environment in its own namespaces (bubblewrap) and its own cgroup.
 *
 * <p><b>Launch.</b> {@code sh} writes its own pid into every cgroup.procs of a fresh cgroup and
 * waits ({@link Launchers.Parked}: this is done ahead of the start that needs it, as joining a cgroup costs a
 * v1 host an RCU grace period). The start sets the cgroup's limits, then writes the uid, the output
 * file and the command to the launcher's stdin; it execs (as root: {@code setpriv} to the
 * environment's unprivileged host uid, then) {@code bwrap}, which reads its options from the same
 * pipe and execs the function. So the function is in
 * the cgroup before its first instruction, and nothing it forks can leave (cgroup membership is
 * inherited; only root in the cgroup's own namespace could move it). Each live environment has a
 * host uid of its own ({@link HostUids}), so the kernel tells environments apart: a socket, a
 * process or a file an environment creates is owned by its uid and no other environment's. Nothing of Spur's environment
 * reaches {@code sh}, {@code setpriv} or {@code bwrap} (an {@code LD_PRELOAD} for the function
 * must not load into them); the function's variables travel in the pipe, not in a host-visible argv.
 *
 * <p><b>Isolation.</b> New user, pid, ipc, uts and cgroup namespaces; the sandbox uid/gid (993) map
 * to the environment's host uid outside (or to Spur's own uid when Spur is not root, when every
 * environment shares it); no capabilities; no new privileges (setuid bits are inert); no further
 * user namespaces; a seccomp filter refusing the kernel's riskiest calls ({@link Seccomp}). The
 * file system is {@link Bwrap}'s minimal root. {@code --die-with-parent}: if Spur dies, the function dies.
 *
 * <p><b>Network.</b> By default ({@link Network#HOST}) the network namespace is shared with the
 * host, so the function reaches the Runtime API on a loopback port of its own
 * ({@link RuntimeApiWiring#LOOPBACK}) and the internet, but also every other
 * loopback service and abstract unix socket of the host. With {@link Network#none(Path)} it gets a
 * network namespace of its own ({@code --unshare-net}) holding only a loopback interface: no route
 * anywhere ({@code connect} fails at once with "Network is unreachable"), nothing of the host's
 * loopback or its abstract unix sockets. The Runtime API comes in over the host's unix socket
 * ({@link #launch} puts it in the environment's own directory: {@link RuntimeApiWiring#BRIDGED_SOCKET}),
 * bound read-only at {@code /run/spur/runtime-api.sock}, and {@code socat} inside the sandbox
 * listens on {@link #BRIDGED_RUNTIME_API} and forwards to it, so the runtime is given
 * {@code AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001} and talks TCP as on Lambda ({@link RuntimeApiBridge};
 * socat must be installed, see {@link #checkNetworkNone()}). bwrap binds the socket as the
 * environment's unprivileged host uid, which is chosen in {@link #start} (bubblewrap 0.8 resolves
 * even {@code --bind-fd} sources to a path, so an fd opened as root would not help): every
 * directory on the socket's path must be searchable by other users and the socket writable by
 * them; {@link #start} checks this and says what is in the way. Other host users can then connect
 * to the socket if they know its path (keep it in a directory they cannot list), but
 * {@code RuntimeApiEndpoint.openUnix}, once admitted the environment's uid, serves nobody else, as
 * on TCP. Sandboxed functions see no host path, so no other environment reaches it. Egress for such a mode would come from a user-mode stack (pasta,
 * slirp4netns) or a veth pair, which needs privileges bwrap does not have.
 *
 * <p><b>Limits.</b> Memory = the function's MemorySize, no swap; CPU quota proportional to memory
 * as Lambda does ({@link CpuLimit}: 1,769 MB = one vCPU), capped at the node's cores, over a short
 * period (5 ms) so that a spent quota holds an invoke back for at most a few milliseconds, with one
 * period's unused quota carried over as burst; {@code pids.max}.
 * Memory and pids hold from the first instruction; the CPU quota from {@link Jailed#limitCpu()},
 * which a launched environment calls when its start-up ends ({@link SandboxedEnvironment#startUpEnded()}):
 * sandbox set-up, init and the first invocation run at the node's speed (the CPU weight, proportional
 * to memory, still divides a busy node), bounded by the init timeout and, for the first invocation,
 * one second (the pools' start-up boost).
 * At 128 MB a quota of 7% of a core would otherwise stretch bubblewrap's few milliseconds of mount
 * set-up, which has nothing to do with the function, to tens of milliseconds. The private
 * {@code /tmp} is a tmpfs of EphemeralStorage MB, and tmpfs pages are charged to the memory cgroup:
 * what a function keeps in {@code /tmp} counts against its memory too.
 */
public final class LinuxSandbox implements Sandbox {
    /**
     * The Runtime API's address inside a {@link Network#none(Path) network none} sandbox: the value
     * for {@code AWS_LAMBDA_RUNTIME_API} there.
     */
    public static final String BRIDGED_RUNTIME_API = "127.0.0.1:" + RuntimeApiBridge.PORT;

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** A name for a new cgroup: {@code <Spur's pid>-<n>}, as {@link Cgroups#ownedByALiveSpur} reads it. */
    static String nextId() {
        return ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }

    private static final String MISSING_SOCAT = "network none needs socat, to bridge the Runtime API into the sandbox, "
            + "and it is not installed (none of " + RuntimeApiBridge.SOCAT + "; apt-get install socat)";

    private final Settings settings;
    private final HostUids hostUids;
    /** Found once, on the first start: neither changes while Spur runs. */
    private volatile Cgroups cgroups;

    private final StateDirectory state;
    private final Launchers launchers;

    LinuxSandbox(Settings settings) {
        this.settings = settings;
        this.hostUids = new HostUids(
                settings.firstHostUid(),
                settings.hostUidCount(),
                settings.stateDirectory().resolve("uids"));
        this.state = new StateDirectory(settings);
        this.launchers = new Launchers(settings.bwrap(), settings.spares(), this::cgroups, state.seccomp());
    }

    /**
     * @param bwrap          the bubblewrap executable
     * @param uid            the user id inside the sandbox
     * @param gid            the group id inside the sandbox
     * @param firstHostUid   when Spur runs as root, environments run as host uids (and gids) from
     *                       {@code firstHostUid} on, one each; they should own no files. Mounted host
     *                       paths must be readable by them.
     * @param hostUidCount   how many host uids there are: at most this many environments at once
     * @param pidsMax        the most processes and threads one environment may have at once
     * @param cgroupName     the name of Spur's parent cgroup (see {@link Cgroups})
     * @param stateDirectory where the sandbox's {@code /etc/passwd} and {@code /etc/group} are kept
     * @param spares         how many launchers to keep parked (see {@link Launchers.Parked})
     */
    public record Settings(
            Path bwrap,
            int uid,
            int gid,
            int firstHostUid,
            int hostUidCount,
            int pidsMax,
            String cgroupName,
            Path stateDirectory,
            int spares) {
        /**
         * Host uids 1,000,000 to 1,065,535: far above any account's, below the usual subuid ranges.
         * One launcher kept parked for the next start.
         */
        public static Settings defaults() {
            return new Settings(
                    Path.of("/usr/bin/bwrap"),
                    993,
                    993,
                    1_000_000,
                    65_536,
                    1024,
                    "spur",
                    Path.of(System.getProperty("java.io.tmpdir"), "spur-linux-sandbox"),
                    1);
        }

        public Settings withBwrap(Path executable) {
            return new Settings(
                    executable, uid, gid, firstHostUid, hostUidCount, pidsMax, cgroupName, stateDirectory, spares);
        }

        public Settings withPidsMax(int max) {
            return new Settings(bwrap, uid, gid, firstHostUid, hostUidCount, max, cgroupName, stateDirectory, spares);
        }

        public Settings withCgroupName(String name) {
            return new Settings(bwrap, uid, gid, firstHostUid, hostUidCount, pidsMax, name, stateDirectory, spares);
        }

        /** How many launchers to keep parked, each in its own cgroup, for the next starts (0: none). */
        public Settings withSpares(int count) {
            return new Settings(
                    bwrap, uid, gid, firstHostUid, hostUidCount, pidsMax, cgroupName, stateDirectory, count);
        }
    }

    /**
     * Whether this host can run the Linux sandbox: if not, {@code reason} says why; if so, what is
     * in force (for the start-up banner).
     */
    public record Availability(boolean available, String reason) {
        static Availability yes(String what) {
            return new Availability(true, what);
        }

        static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    public static Availability check() {
        return check(Settings.defaults());
    }

    /**
     * Checks bwrap, the cgroups and (by starting {@code /usr/bin/true} in a sandbox) user
     * namespaces. Takes a few milliseconds; leaves nothing behind.
     */
    public static Availability check(Settings settings) {
        return HostCheck.check(settings);
    }

    /**
     * Whether {@link Network#none(Path)} can be used: it needs {@code socat} (for the Runtime API
     * bridge), which {@link #check(Settings)} does not ask for. Takes a few file lookups.
     */
    public static Availability checkNetworkNone() {
        return RuntimeApiBridge.socat()
                .map(socat -> Availability.yes("network none bridged by " + socat))
                .orElseGet(() -> Availability.no(MISSING_SOCAT));
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public boolean isolatesFiles() {
        return true;
    }

    /** True: {@link #start} then fails only if socat is missing, saying so ({@link #checkNetworkNone()}). */
    @Override
    public boolean supportsNetworkNone() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the host's network the runtime reaches a loopback port ({@link RuntimeApiWiring#LOOPBACK});
     * offline, a unix socket in {@code spec.directory()} bridged to {@link #BRIDGED_RUNTIME_API}
     * inside ({@link RuntimeApiWiring#BRIDGED_SOCKET}).
     */
    @Override
    public SandboxedEnvironment launch(EnvironmentSpec spec, RuntimeApiHandler api) throws IOException {
        return Launched.launch(
                this, spec.offline() ? RuntimeApiWiring.BRIDGED_SOCKET : RuntimeApiWiring.LOOPBACK, spec, api);
    }

    /**
     * Kills and removes what a previous Spur left under its parent cgroup (it crashed, or was
     * SIGKILLed). Call once at start, before any environment runs: it removes every environment
     * cgroup under the parent, and two Spurs must not share one parent.
     *
     * @return how many environment cgroups it removed
     */
    public int cleanUpLeftovers() throws IOException {
        Cgroups cgroups = Cgroups.detect(settings.cgroupName());
        return cgroups.removeLeftovers();
    }

    /**
     * Starts the process in a cgroup of its own: a parked launcher's ({@link Launchers}), given the
     * environment's limits, uid, output and command.
     *
     * @throws IOException if the cgroup could not be created or {@code sh} could not be started
     *                     (then nothing is left behind); with {@link Network#none(Path)}, also if socat
     *                     is not installed or the sandbox's host uid cannot reach the Runtime API
     *                     socket. A missing or non-executable command is not an IOException here:
     *                     the process exits 1 with bwrap's message in the output (with network none,
     *                     127 or 126 with the bridge's {@code sh}'s message).
     */
    @Override
    public SandboxedProcess start(LaunchSpec spec) throws IOException {
        List<String> function = functionCommand(spec);
        StateDirectory.Identity identity = state.identity();
        Cgroups.Limits limits = limits(spec.memoryMb(), settings.pidsMax());
        boolean byLines = function.stream().noneMatch(arg -> arg.indexOf('\n') >= 0);
        if (spec.output().toString().indexOf('\n') >= 0) {
            throw new IOException("the output file's path contains a newline: " + spec.output());
        }
        HostUids.Lease lease = isRoot() ? hostUids.acquire() : null;
        Launchers.Parked launcher = null;
        try {
            // a command with a newline cannot be told line by line: a launcher of its own gets it in argv
            launcher = byLines ? launchers.claim() : launchers.park(function);
            launcher.group().limit(limits.withoutCpuQuota());
            StringBuilder lines = new StringBuilder();
            lines.append(lease != null ? Integer.toString(lease.uid()) : "-").append('\n');
            lines.append(spec.output()).append('\n');
            if (byLines) {
                lines.append(function.size()).append('\n');
                function.forEach(arg -> lines.append(arg).append('\n'));
            } else {
                lines.append("-\n");
            }
            try (OutputStream in = launcher.process().getOutputStream()) {
                // the launcher reads its lines, then bwrap its options, from the same pipe
                in.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                for (String option :
                        Bwrap.options(settings, spec, identity.passwd(), identity.group(), state.seccomp() != null)) {
                    in.write(option.getBytes(StandardCharsets.UTF_8));
                    in.write(0);
                }
            } catch (IOException e) {
                launcher.process().destroyForcibly(); // it died before reading; onExit cleans up
            }
            return new Jailed(launcher.process(), launcher.group(), lease, limits);
        } catch (IOException | RuntimeException e) {
            if (launcher != null) {
                launcher.process().destroyForcibly();
                launcher.group().killAll();
                launcher.group().remove();
            }
            if (lease != null) {
                lease.close();
            }
            throw e;
        } finally {
            launchers.refillInBackground();
        }
    }

    /** Sets the memory limit of Spur's parent cgroup: every environment's cgroup is beneath it. */
    @Override
    public void limitTotalMemory(long bytes) throws IOException {
        cgroups().limitParentMemory(bytes);
    }

    /** The parent cgroup's working set: usage less inactive file cache. */
    @Override
    public OptionalLong memoryInUse() {
        try {
            return OptionalLong.of(cgroups().parentWorkingSetBytes());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * What the CPU quota has held back every environment of this JVM that still runs, summed
     * ({@code cpu.stat} of each of its cgroups; benchmarks read it before and after an invoke).
     * Environments that have ended take their counts with them.
     */
    public CpuThrottling cpuThrottling() throws IOException {
        Cgroups tree = cgroups();
        String mine = ProcessHandle.current().pid() + "-";
        CpuThrottling sum = CpuThrottling.NONE;
        try (var dirs = Files.list(tree.cpuParent())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String id = dir.getFileName().toString();
                if (id.startsWith(mine)) {
                    sum = sum.plus(tree.group(id).cpuThrottling());
                }
            }
        } catch (NoSuchFileException e) {
            return sum; // no environment has started yet
        }
        return sum;
    }

    /** The launchers parked now (tests). */
    List<Launchers.Parked> spares() {
        return launchers.spares();
    }

    /**
     * Kills the parked launchers and removes their cgroups, and parks none from now on: later
     * starts still work, each parking its own launcher as it goes.
     */
    @Override
    public void close() {
        launchers.close();
    }

    private List<String> functionCommand(LaunchSpec spec) throws IOException {
        if (!(spec.network() instanceof Network.None none)) {
            return spec.command();
        }
        Path socat = RuntimeApiBridge.socat().orElseThrow(() -> new IOException(MISSING_SOCAT));
        if (isRoot()) { // else bwrap runs as Spur's own uid, which made the socket
            RuntimeApiBridge.checkReachable(none.runtimeApiSocket());
        }
        return RuntimeApiBridge.wrap(socat, spec.command());
    }

    /** An environment's limits: its memory, its memory's share of this node's CPU, {@code pidsMax}. */
    static Cgroups.Limits limits(int memoryMb, int pidsMax) {
        return new Cgroups.Limits(
                memoryMb * 1024L * 1024L,
                CpuLimit.forMemory(memoryMb, Runtime.getRuntime().availableProcessors()),
                pidsMax);
    }

    synchronized Cgroups cgroups() throws IOException {
        Cgroups found = cgroups;
        if (found == null) {
            found = Cgroups.detect(settings.cgroupName());
            watchdog(found);
            cgroups = found;
        }
        return found;
    }

    /** One per JVM and parent cgroup: see {@link Cgroups#startWatchdog(long)}. Its stdin stays open until the JVM ends. */
    private static final Map<String, Process> WATCHDOGS = new ConcurrentHashMap<>();

    private static void watchdog(Cgroups tree) throws IOException {
        String key = tree.describe();
        if (!WATCHDOGS.containsKey(key)) {
            tree.startWatchdog(ProcessHandle.current().pid()).ifPresent(p -> WATCHDOGS.put(key, p));
        }
    }

    static int ownUid() {
        return OwnUid.EFFECTIVE;
    }

    /** Read once, when first needed. */
    private static final class OwnUid {
        static final int EFFECTIVE = uid(2);
    }

    static boolean isRoot() {
        return ownUid() == 0;
    }

    /** A uid from {@code /proc/self/status}: column 1 real, 2 effective. */
    private static int uid(int column) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[column]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }
}
