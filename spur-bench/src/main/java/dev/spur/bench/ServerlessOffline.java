package dev.spur.bench;

import dev.spur.common.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * serverless-offline, the Serverless Framework's plugin that emulates API Gateway and Lambda on one machine:
 * one Node.js process whose HTTP server (hapi) serves the {@code httpApi} routes on one port and Lambda's
 * Invoke API on another, running Node.js handlers in worker threads of that process (one per concurrent
 * request, kept while warm), with no isolation and no memory or CPU limit.
 *
 * <p>It is installed from the npm registry into a scratch directory at run time, at the pinned versions below
 * (the last serverless-offline 13 and the Serverless Framework 3 it requires; Framework 4 needs an account
 * login), never into the repository. It runs with its documented defaults: worker-threads mode, handlers
 * cached between requests ({@code reloadHandler} off), the function's timeout enforced, request logging on.
 * Only what a benchmark must choose is set: the host ({@code 127.0.0.1}), free ports, and the banner off
 * ({@code noSponsor}); the Framework's telemetry and update notices are switched off by its environment
 * variables, so no run waits on the network.
 */
final class ServerlessOffline {
    static final String FRAMEWORK_VERSION = "3.40.0";
    static final String OFFLINE_VERSION = "13.10.1";
    /** {@code <service>-<stage>-<function>}, the name the Invoke API knows the function by. */
    static final String FUNCTION_NAME = "peers-dev-noop";

    private final Path install;

    private ServerlessOffline(Path install) {
        this.install = install;
    }

    /**
     * Installs both packages into {@code dir} with npm, or reuses an install of the same versions found there.
     *
     * @throws IOException if npm is missing or fails (its output is in the message)
     */
    static ServerlessOffline install(Path dir, PrintStream log) throws IOException, InterruptedException {
        ServerlessOffline offline = new ServerlessOffline(dir);
        if (offline.installedVersion("serverless").equals(FRAMEWORK_VERSION)
                && offline.installedVersion("serverless-offline").equals(OFFLINE_VERSION)) {
            log.println("  reusing serverless " + FRAMEWORK_VERSION + " + serverless-offline " + OFFLINE_VERSION
                    + " in " + dir);
            return offline;
        }
        log.println("  npm install serverless@" + FRAMEWORK_VERSION + " serverless-offline@" + OFFLINE_VERSION
                + " into " + dir + " (about a minute)");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("package.json"), """
                {"private": true, "description": "spur bench --peers: a scratch install, never committed",
                 "dependencies": {"serverless": "%s", "serverless-offline": "%s"}}
                """.formatted(FRAMEWORK_VERSION, OFFLINE_VERSION));
        Path npmLog = dir.resolve("npm-install.log");
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(npmLog.toFile())
                .start();
        if (!npm.waitFor(10, TimeUnit.MINUTES)) {
            PeerServer.stop(npm);
            throw new IOException("npm install did not finish within 10 minutes: " + PeerServer.tail(npmLog, 10));
        }
        if (npm.exitValue() != 0
                || !offline.installedVersion("serverless-offline").equals(OFFLINE_VERSION)) {
            throw new IOException("npm install failed (exit " + npm.exitValue() + "): " + PeerServer.tail(npmLog, 10));
        }
        return offline;
    }

    /** What {@code node_modules/<name>/package.json} says, or "" when absent. */
    private String installedVersion(String name) throws IOException {
        Path manifest = install.resolve("node_modules").resolve(name).resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            return "";
        }
        return Json.MAPPER.readTree(manifest.toFile()).path("version").asText();
    }

    /**
     * Writes a service ({@code serverless.yml}, {@code index.mjs}) into a new directory under {@code scratch}
     * and starts {@code serverless offline} in it; ready once its Invoke API answers.
     *
     * @throws IOException if it exits or does not answer within 60 s (its log's end is in the message)
     */
    PeerServer start(Path scratch, byte[] handler, int memoryMb, Path log) throws IOException, InterruptedException {
        Path service = Files.createTempDirectory(scratch, "sls-service-");
        Files.write(service.resolve("index.mjs"), handler);
        Files.createSymbolicLink(service.resolve("node_modules"), install.resolve("node_modules"));
        int httpPort = freePort();
        int lambdaPort = freePort();
        int websocketPort = freePort();
        Files.writeString(
                service.resolve("serverless.yml"), """
                service: peers
                frameworkVersion: '3'
                provider:
                  name: aws
                  runtime: nodejs20.x
                  region: us-east-1
                  stage: dev
                  memorySize: %d
                functions:
                  noop:
                    handler: index.handler
                    events:
                      - httpApi:
                          method: POST
                          path: /bench
                plugins:
                  - serverless-offline
                custom:
                  serverless-offline:
                    host: 127.0.0.1
                    httpPort: %d
                    lambdaPort: %d
                    websocketPort: %d
                    noSponsor: true
                """.formatted(memoryMb, httpPort, lambdaPort, websocketPort));
        ProcessBuilder builder = new ProcessBuilder(
                        "node",
                        install.resolve("node_modules/serverless/bin/serverless.js")
                                .toString(),
                        "offline")
                .directory(service.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SLS_TELEMETRY_DISABLED", "1");
        builder.environment().put("SLS_NOTIFICATIONS_MODE", "off");
        Process process = builder.start();
        Running running = new Running(
                process,
                service,
                URI.create("http://127.0.0.1:" + lambdaPort),
                URI.create("http://127.0.0.1:" + httpPort));
        try {
            awaitReady(running, log);
            return running;
        } catch (IOException | InterruptedException | RuntimeException e) {
            running.close();
            throw e;
        }
    }

    private static void awaitReady(Running running, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!running.process.isAlive()) {
                throw new IOException(
                        "serverless offline exited " + running.process.exitValue() + ": " + PeerServer.tail(log, 8));
            }
            try {
                PeerComparison.check(running);
                return;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IOException(
                "serverless offline did not answer within 60 s (" + last + "): " + PeerServer.tail(log, 8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** "serverless 3.40.0, serverless-offline 13.10.1" as installed. */
    String versions() throws IOException {
        return "serverless " + installedVersion("serverless") + ", serverless-offline "
                + installedVersion("serverless-offline");
    }

    private record Running(Process process, Path service, URI lambda, URI http) implements PeerServer {
        @Override
        public URI invokeUrl() {
            return lambda.resolve("/2015-03-31/functions/" + FUNCTION_NAME + "/invocations");
        }

        @Override
        public URI routeUrl() {
            return http.resolve("/bench");
        }

        @Override
        public void close() {
            PeerServer.stop(process);
            try {
                Bench.deleteTree(service);
            } catch (IOException e) {
                // the run's scratch directory is removed at the end anyway
            }
        }
    }
}
