package dev.spur.testing.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The linux sandbox's cgroups as the host (root) sees them, read from {@code /proc} and
 * {@code /sys/fs/cgroup}: a process's cgroup directories, Spur's parent cgroups, and their removal
 * after a test. On cgroup v1 the controllers the sandbox limits, else the v2 directory.
 */
public final class HostCgroups {
    /** The controllers the linux sandbox limits on cgroup v1 (as its {@code Cgroups}). */
    private static final List<String> V1_CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "freezer");

    private HostCgroups() {}

    /**
     * The cgroup directories of a process, chosen as the linux sandbox chooses its own: the v1
     * controllers it limits when the memory controller is on v1, else the v2 directory.
     */
    public static List<Path> cgroupDirs(long pid) {
        Map<String, String> member = membership(pid);
        List<Mount> mounts = cgroupMounts();
        Set<Path> dirs = new LinkedHashSet<>();
        if (onV1(member, mounts)) {
            for (String c : V1_CONTROLLERS) {
                mounts.stream()
                        .filter(m -> m.controllers().contains(c))
                        .findFirst()
                        .ifPresent(m -> dirs.add(m.dir(member.get(c))));
            }
        } else {
            mounts.stream().filter(Mount::v2).findFirst().ifPresent(m -> dirs.add(m.dir(member.get(""))));
        }
        if (dirs.isEmpty()) {
            throw new IllegalStateException("no cgroup of process " + pid + " found");
        }
        return List.copyOf(dirs);
    }

    /**
     * Spur's parent cgroup directories for {@code name}, for a server running in this JVM's cgroup
     * (or a child JVM's, which is the same): beneath this JVM's own cgroup on v1, beside it on v2
     * (or at the root when this JVM is in the root).
     */
    public static List<Path> parentCgroups(String name) {
        long self = ProcessHandle.current().pid();
        List<Path> own = cgroupDirs(self);
        Map<String, String> member = membership(self);
        if (onV1(member, cgroupMounts())) {
            return own.stream().map(d -> d.resolve(name)).toList();
        }
        boolean inRoot = member.getOrDefault("", "/").equals("/");
        return List.of(
                inRoot
                        ? own.getFirst().resolve(name)
                        : own.getFirst().getParent().resolve(name));
    }

    private static boolean onV1(Map<String, String> member, List<Mount> mounts) {
        return member.containsKey("memory")
                && mounts.stream().anyMatch(m -> m.controllers().contains("memory"));
    }

    /** Removes Spur's (empty) parent cgroups for {@code name}; what is not empty stays. */
    public static void removeParentCgroups(String name) {
        for (Path parent : parentCgroups(name)) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                // not empty: an environment is left, which the test reports itself
            }
        }
    }

    /**
     * Kills whatever is still in a cgroup and removes it: best effort, for cleaning up after a test
     * that failed. Thaws it first (a task frozen by the v1 freezer does not act on SIGKILL).
     */
    public static void destroy(List<Path> cgroupDirs) {
        for (Path dir : cgroupDirs) {
            writeIfPresent(dir.resolve("freezer.state"), "THAWED");
            writeIfPresent(dir.resolve("cgroup.freeze"), "0");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Path dir : cgroupDirs) {
            while (Files.isDirectory(dir) && System.nanoTime() < deadline) {
                try {
                    for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    LockSupport.parkNanos(10_000_000); // busy: its processes are dying
                }
            }
        }
    }

    private static void writeIfPresent(Path file, String value) {
        try {
            if (Files.exists(file)) {
                Files.writeString(file, value);
            }
        } catch (IOException e) {
            // gone meanwhile
        }
    }

    /** A cgroup file system: v1 with its controllers, or v2. */
    private record Mount(Path point, String root, boolean v2, Set<String> controllers) {
        Path dir(String path) {
            String p = path.startsWith(root) ? path.substring(root.length()) : path;
            return point.resolve(p.startsWith("/") ? p.substring(1) : p);
        }
    }

    private static List<Mount> cgroupMounts() {
        List<Mount> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                String[] f = halves[0].split(" ");
                String[] g = halves[1].split(" ");
                Path point = Path.of(f[4].replace("\\040", " "));
                if (g[0].equals("cgroup")) {
                    mounts.add(new Mount(point, f[3], false, Set.of(g[2].split(","))));
                } else if (g[0].equals("cgroup2")) {
                    mounts.add(new Mount(point, f[3], true, Set.of()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mounts;
    }

    /** Controller ({@code ""} for v2) → the process's cgroup path, from {@code /proc/<pid>/cgroup}. */
    private static Map<String, String> membership(long pid) {
        Map<String, String> member = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                String[] f = line.split(":", 3);
                for (String controller : f[1].split(",")) {
                    member.put(controller, f[2]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return member;
    }
}
