package dev.spur.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Spur server running as a separate process ({@link ServerProcessMain}) on the JDK and class path
 * of the running test, so it can die the way a machine's process dies: {@link #kill9}. Its output
 * goes to {@code log}.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int SIGKILL_EXIT = 128 + 9;

    private final Process process;
    private final int port;
    private final Path dataDir;

    private ServerProcess(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Starts a server on {@code dataDir}; returns once it accepts requests. */
    static ServerProcess start(Path dataDir, int dispatchers, Path log) throws IOException, InterruptedException {
        return start(dataDir, dispatchers, log, List.of());
    }

    /** As {@link #start(Path, int, Path)}, with {@link ServerProcessMain}'s optional arguments. */
    static ServerProcess start(Path dataDir, int dispatchers, Path log, List<String> options)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this test"));
        List<String> command = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ServerProcessMain.class.getName(),
                dataDir.toString(),
                Integer.toString(dispatchers)));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        // a platform thread: a blocking pipe read pins a virtual thread's carrier, and three servers' readers
        // would take every carrier of a 2-core machine from the test's own virtual threads
        Thread.ofPlatform().daemon().name("spur-process-output").start(() -> copyOutput(process, log, port));
        try {
            return new ServerProcess(process, port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), dataDir);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the Spur process did not start; its output is in " + log, e);
        }
    }

    /** Copies the process's output to {@code log}, and hands over the port it prints. */
    private static void copyOutput(Process process, Path log, CompletableFuture<Integer> port) {
        try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var out = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith(ServerProcessMain.PORT_LINE)) {
                    port.complete(Integer.parseInt(
                            line.substring(ServerProcessMain.PORT_LINE.length()).trim()));
                }
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("the process exited before it printed its port"));
    }

    int port() {
        return port;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * SIGKILL: {@link Process#destroyForcibly} sends SIGKILL on Unix, and the exit status (128 + 9)
     * is checked. The server's environments are killed too, so that no old runtime keeps running an
     * event after the kill: its descendants, listed just before the kill, and any process whose
     * command line names the data directory (one started after the listing, orphaned by the kill).
     * Returns once all of them are gone.
     */
    void kill9() throws InterruptedException {
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        kill9Alone();
        String data = dataDir.toAbsolutePath().toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(data)).orElse(false))
                .forEach(descendants::add);
        List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
        for (ProcessHandle child : descendants) {
            child.destroyForcibly();
            exits.add(child.onExit());
        }
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("an environment of the killed server did not die", e);
        }
    }

    /**
     * SIGKILL to the server process only, checked as {@link #kill9} does; what it started is left to
     * fend for itself (for tests of what a crash leaves behind).
     */
    void kill9Alone() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Spur process survived SIGKILL");
        }
        if (process.exitValue() != SIGKILL_EXIT) {
            throw new IllegalStateException("the Spur process exited with " + process.exitValue() + ", not by SIGKILL");
        }
    }

    /** Stops the server cleanly (its standard input closes), forcibly if it takes too long. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
