package dev.spur.runtimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretersTest {
    @TempDir
    Path root;

    private Path executable(String path) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Interpreters interpreters(String... searchPath) {
        return new Interpreters(
                List.of(root.resolve("usr/bin")),
                List.of(searchPath).stream().map(root::resolve).toList(),
                root.resolve("jdk"));
    }

    @Test
    void exactPythonVersionInASystemDirectoryComesFirst() throws IOException {
        Path exact = executable("usr/bin/python3.12");
        executable("usr/bin/python3");
        executable("bin/python3.12");
        assertThat(interpreters("bin").python("3.12")).contains(exact);
    }

    @Test
    void genericSystemPythonServesVersionsItIsNot() throws IOException {
        Path generic = executable("usr/bin/python3");
        executable("bin/python3");
        assertThat(interpreters("bin").python("3.13")).contains(generic);
    }

    @Test
    void pythonOnThePathIsTheLastResortAndVersionManagerShimsAreSkipped() throws IOException {
        executable("home/.pyenv/shims/python3");
        Path real = executable("opt/python/bin/python3");
        assertThat(interpreters("home/.pyenv/shims", "opt/python/bin").python("3.12"))
                .contains(real);
        assertThat(interpreters("home/.pyenv/shims").python("3.12")).isEmpty();
    }

    @Test
    void nonExecutableFilesAreIgnored() throws IOException {
        Path file = executable("usr/bin/node");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Path other = executable("bin/node");
        assertThat(interpreters("bin").node()).contains(other);
    }

    @Test
    void javaIsTheGivenHomesAndPathsAreAbsolute() throws IOException {
        Path java = executable("jdk/bin/java");
        assertThat(interpreters().java()).contains(java);
        assertThat(interpreters().java().orElseThrow()).isAbsolute();
        assertThat(new Interpreters(List.of(), List.of(), root.resolve("nowhere")).java())
                .isEmpty();
    }

    @Test
    void systemInterpretersUseTheRunningJvm() {
        assertThat(Interpreters.ofSystem().javaHome()).isEqualTo(Path.of(System.getProperty("java.home")));
        assertThat(Interpreters.ofSystem().searchPath()).allMatch(Path::isAbsolute);
    }
}
