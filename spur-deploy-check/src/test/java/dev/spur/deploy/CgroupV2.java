package dev.spur.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A real cgroup v2 hierarchy for the entrypoint's tests, where the kernel itself enforces the rule the
 * entrypoint works around. This machine mounts cgroup v2 beside its v1 controllers
 * (/sys/fs/cgroup/unified) with only {@code hugetlb} free for it; a v2-only machine has them all. The
 * tests make cgroups directly under the mount's root, whose children can be given a controller.
 */
record CgroupV2(Path mount, String controller) {
    /** The cgroup v2 mount and a controller its root's children can have; skipped (failed under CI) if none. */
    static CgroupV2 require() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Repo.missing("the cgroup v2 tests run as root (they create cgroups)");
        }
        Optional<Path> mount = mountPoint();
        if (mount.isEmpty()) {
            return Repo.missing("no cgroup v2 hierarchy is mounted here");
        }
        Path root = mount.get();
        if (Files.exists(root.resolve("cgroup.type"))) {
            return Repo.missing("cgroup v2 at " + root + " is not the hierarchy's root (a cgroup namespace)");
        }
        try {
            List<String> enabled = words(root.resolve("cgroup.subtree_control"));
            if (!enabled.isEmpty()) {
                return new CgroupV2(root, enabled.getFirst());
            }
            for (String c : words(root.resolve("cgroup.controllers"))) {
                try {
                    // the hierarchy's root may enable controllers while it holds processes
                    Files.writeString(root.resolve("cgroup.subtree_control"), "+" + c);
                    return new CgroupV2(root, c);
                } catch (IOException refused) {
                    // bound elsewhere: try the next
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Repo.missing("no cgroup v2 controller is free for " + root + "'s children");
    }

    private static Optional<Path> mountPoint() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                    return Optional.of(Path.of(halves[0].split(" ")[4]));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> words(Path file) throws IOException {
        String s = Files.readString(file).strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    /** A new cgroup under the root, with {@link #controller} available to it. */
    Path create() throws IOException {
        return Files.createDirectory(mount.resolve("spur-entrypoint-test-" + UUID.randomUUID()));
    }

    /** Moves a process into {@code cgroup}. */
    static void move(long pid, Path cgroup) throws IOException {
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** The processes in {@code cgroup}. */
    static List<Long> processes(Path cgroup) throws IOException {
        return words(cgroup.resolve("cgroup.procs")).stream()
                .map(Long::parseLong)
                .toList();
    }

    /** Removes {@code cgroup} and its children once their processes are gone. */
    static void remove(Path cgroup) throws IOException {
        try (var children = Files.list(cgroup)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                remove(child);
            }
        }
        Files.delete(cgroup);
    }
}
