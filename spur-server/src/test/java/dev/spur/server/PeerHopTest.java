package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.Caller;
import dev.spur.server.SpurServer.Options;
import dev.spur.store.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy hop between two nodes (in-process servers on one PostgreSQL) when the connection breaks: node B is
 * reached through a relay that can drop a connection before the request reaches B (what a kept-alive connection
 * the peer had closed does) or after B answered (the answer lost). The first is retried once on a new connection
 * and runs once; the second is not run again: the caller gets 500.
 */
class PeerHopTest {
    private static final String APP = """
            import os
            def handler(event, context):
                return {"pid": os.getpid()}
            """;

    Path scratch;
    String database;

    @BeforeEach
    void scratch() {
        scratch = RunningSpur.scratch();
        database = TestPostgres.freshDatabase();
    }

    @AfterEach
    void delete() {
        RunningSpur.delete(scratch);
    }

    @Test
    void aHopDroppedBeforeItReachedThePeerIsRetriedOnceOnANewConnectionAndRunsOnce() throws Exception {
        try (Relay relay = new Relay();
                SpurServer a = SpurServer.start(options("a", Optional.empty()));
                SpurServer b = SpurServer.start(options("b", Optional.of(relay.uri())))) {
            relay.target = b.port();
            String name = functionOwnedByB(a.port());
            relay.faults.add(Fault.DROP_REQUEST);
            RawHttp.Response answer = invoke(a.port(), name);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(relay.connections.get())
                    .as("the dropped connection and the retry's")
                    .isGreaterThanOrEqualTo(2);
            assertThat(starts(b.port(), name)).as("runs across the fleet").isEqualTo(1);
        }
    }

    @Test
    void aHopWhoseAnswerWasLostIsNotRunAgainAndTheCallerGetsAServiceError() throws Exception {
        try (Relay relay = new Relay();
                SpurServer a = SpurServer.start(options("a", Optional.empty()));
                SpurServer b = SpurServer.start(options("b", Optional.of(relay.uri())))) {
            relay.target = b.port();
            String name = functionOwnedByB(a.port());
            relay.faults.add(Fault.DROP_ANSWER);
            RawHttp.Response answer = invoke(a.port(), name);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(500);
            assertThat(answer.text()).contains("may have run");
            assertThat(starts(b.port(), name)).as("runs across the fleet").isEqualTo(1);
        }
    }

    /** A function whose invocations node A sends to B (B is first in its rendezvous order), once both are live. */
    private static String functionOwnedByB(int port) throws InterruptedException {
        String name;
        do {
            name = "hop-" + UUID.randomUUID().toString().substring(0, 8);
        } while (!Rendezvous.order(
                        Rendezvous.item(Caller.DEFAULT_ACCOUNT, Caller.DEFAULT_REGION, name, "$LATEST"),
                        List.of("a", "b"))
                .getFirst()
                .equals("b"));
        Functions.createPython(port, name, APP);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (RawHttp.get(port, "/spur/v1/nodes").text().split("\"Live\":true", -1).length < 3) {
            assertThat(System.nanoTime()).as("both nodes live").isLessThan(deadline);
            Thread.sleep(100);
        }
        // the database lists both; each node's routing reads the list after its next beat
        Thread.sleep(FleetNode.BEAT.toMillis() * 3);
        return name;
    }

    private static RawHttp.Response invoke(int port, String name) {
        return RawHttp.post(port, "/2015-03-31/functions/" + name + "/invocations", "{}");
    }

    /** The invocations of {@code name} the fleet's log shows (every node's lines). */
    private static int starts(int port, String name) throws InterruptedException {
        Thread.sleep(500); // the REPORT line is written after the answer
        String tail = RawHttp.get(port, "/spur/v1/functions/" + name + "/logs").text();
        return tail.split("START RequestId", -1).length - 1;
    }

    private Options options(String node, Optional<URI> advertise) {
        Fleet fleet = Fleet.NONE.withNodeName(node);
        return Options.defaults(scratch.resolve(node))
                .withPort(0)
                .withDatabase(Optional.of(database))
                .withFleet(advertise.map(fleet::withAdvertise).orElse(fleet));
    }

    enum Fault {
        /** Reads the start of the request and closes the connection: the peer never sees it. */
        DROP_REQUEST,
        /** Passes the request on, and closes the connection when the peer's answer starts: the answer is lost. */
        DROP_ANSWER
    }

    /** A TCP relay to node B on loopback; each new connection takes the next fault, if any. */
    static final class Relay implements AutoCloseable {
        final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
        final AtomicInteger connections = new AtomicInteger();
        volatile int target;
        private final ServerSocket server;

        Relay() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::accept);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    connections.incrementAndGet();
                    Fault fault = faults.poll();
                    Thread.ofVirtual().start(() -> relay(client, fault));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void relay(Socket client, Fault fault) {
            try (client) {
                if (fault == Fault.DROP_REQUEST) {
                    client.getInputStream().read(new byte[16]);
                    return;
                }
                try (Socket up = new Socket(InetAddress.getLoopbackAddress(), target)) {
                    Thread.ofVirtual().start(() -> copy(client, up, Long.MAX_VALUE));
                    copy(up, client, fault == Fault.DROP_ANSWER ? 0 : Long.MAX_VALUE);
                }
            } catch (IOException e) {
                // the connection ends
            }
        }

        /** Copies {@code from} to {@code to}; with {@code limit} 0, closes both at the first byte instead. */
        private static void copy(Socket from, Socket to, long limit) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (limit == 0) {
                        to.close();
                        from.close();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
