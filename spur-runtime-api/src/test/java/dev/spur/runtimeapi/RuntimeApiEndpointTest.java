package dev.spur.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Runtime API's HTTP contract, checked byte for byte over raw sockets against a real endpoint.
 * The handler behind it is a recorder standing in for an environment.
 */
class RuntimeApiEndpointTest {
    private final Recorder handler = new Recorder();
    private RuntimeApiEndpoint endpoint;

    @BeforeEach
    void open() throws IOException {
        endpoint = RuntimeApiEndpoint.open(handler, "test");
        endpoint.admit(ownUid()); // the test's own sockets: every test goes through the peer check
    }

    static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    @AfterEach
    void close() {
        endpoint.close();
    }

    @Test
    void aConnectionFromAnotherUsersSocketIsClosedUnreadAndReachesNothing() throws Exception {
        RuntimeApiEndpoint other = RuntimeApiEndpoint.open(handler, "other");
        try {
            other.admit(ownUid() + 1_000_000); // the environment is someone else: this test is an intruder
            handler.events.add(new RuntimeApiHandler.NextEvent("secret", 1L, "arn", null, null, null, new byte[] {1}));
            String[] hostPort = other.hostPort().split(":");
            try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
                                        + post("/2018-06-01/runtime/invocation/secret/response", "", "forged"))
                                .getBytes(StandardCharsets.UTF_8));
                int first;
                try {
                    first = socket.getInputStream().read();
                } catch (SocketException reset) {
                    first = -1; // closed with our bytes unread: a reset
                }
                assertThat(first).isEqualTo(-1);
            }
            assertThat(handler.events).hasSize(1); // the event was not handed out
            assertThat(handler.calls).isEmpty();
        } finally {
            other.close();
        }
    }

    @Test
    void aConnectionMadeBeforeTheEnvironmentIsAdmittedWaitsAndIsThenServed() throws Exception {
        RuntimeApiEndpoint early = RuntimeApiEndpoint.open(handler, "early");
        try {
            String[] hostPort = early.hostPort().split(":");
            try (Client c = new Client(new Socket(hostPort[0], Integer.parseInt(hostPort[1])))) {
                c.out.write(post("/2018-06-01/runtime/invocation/req-1/response", "", "ok")
                        .getBytes(StandardCharsets.UTF_8));
                c.out.flush();
                Thread.sleep(100);
                assertThat(handler.calls).isEmpty();
                early.admit(ownUid());
                assertThat(c.read().status).isEqualTo(202);
                assertThat(handler.calls).containsExactly("response req-1 ok");
            }
        } finally {
            early.close();
        }
    }

    @Test
    void theKernelsSocketDiagnosticsAndItsTablesNameTheSameOwnerOfAConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket _ = new Socket("127.0.0.1", server.getLocalPort());
                Socket accepted = server.accept()) {
            OptionalInt asked = SockDiag.ownerOf(accepted.getPort(), accepted.getLocalPort());
            assertThat(asked).as("netlink sock_diag answers on Linux").hasValue(ownUid());
            assertThat(PeerUids.fromTables(accepted.getPort(), accepted.getLocalPort()))
                    .isEqualTo(ownUid());
            assertThat(PeerUids.ownerOf(accepted.getPort(), accepted.getLocalPort()))
                    .isEqualTo(ownUid());
            // the server's own side of it is not a client of the server's port
            assertThat(SockDiag.ownerOf(accepted.getLocalPort() == 1 ? 2 : 1, accepted.getLocalPort()))
                    .hasValue(-1);
        }
    }

    @Test
    void theOwnerOfAConnectionIsReadFromTheKernelsTable() {
        String line =
                "   3: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000123        0 4242 1";
        assertThat(PeerUids.ownerIn(line, ":C350 ", ":1F90 ")).isEqualTo(1_000_123);
        assertThat(PeerUids.ownerIn(line, ":1F90 ", ":C350 ")).isEqualTo(-1); // the server's side of it
        assertThat(PeerUids.ownerIn(
                        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid",
                        ":C350 ",
                        ":1F90 "))
                .isEqualTo(-1);
    }

    @Test
    void nextDeliversTheEventWithEveryLambdaRuntimeHeader() throws Exception {
        handler.events.add(new RuntimeApiHandler.NextEvent(
                "req-1",
                1_700_000_000_123L,
                "arn:aws:lambda:us-east-1:000000000000:function:f",
                "Root=1-a;Parent=b;Sampled=0",
                "{\"custom\":{}}",
                "{\"cognitoIdentityId\":\"id\"}",
                "{\"hello\":1}".getBytes(StandardCharsets.UTF_8)));
        try (Client c = client()) {
            Response r = c.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-1");
            assertThat(r.header("Lambda-Runtime-Deadline-Ms")).isEqualTo("1700000000123");
            assertThat(r.header("Lambda-Runtime-Invoked-Function-Arn"))
                    .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:f");
            assertThat(r.header("Lambda-Runtime-Trace-Id")).isEqualTo("Root=1-a;Parent=b;Sampled=0");
            assertThat(r.header("Lambda-Runtime-Client-Context")).isEqualTo("{\"custom\":{}}");
            assertThat(r.header("Lambda-Runtime-Cognito-Identity")).isEqualTo("{\"cognitoIdentityId\":\"id\"}");
            assertThat(r.body()).isEqualTo("{\"hello\":1}");
        }
    }

    @Test
    void responseIsAcceptedWith202AndTheConnectionStaysOpen() throws Exception {
        try (Client c = client()) {
            Response r = c.send(post("/2018-06-01/runtime/invocation/req-1/response", "", "{\"ok\":true}"));
            assertThat(r.status).isEqualTo(202);
            assertThat(r.body()).isEqualTo("{\"status\":\"OK\"}");
            assertThat(r.header("Connection")).isNull();
            Response again = c.send(post("/2018-06-01/runtime/invocation/req-2/response", "", "2"));
            assertThat(again.status).isEqualTo(202);
        }
        assertThat(handler.calls).containsExactly("response req-1 {\"ok\":true}", "response req-2 2");
    }

    @Test
    void errorCarriesTheFunctionErrorTypeHeader() throws Exception {
        try (Client c = client()) {
            Response r = c.send(post(
                    "/2018-06-01/runtime/invocation/req-1/error",
                    "Lambda-Runtime-Function-Error-Type: Function.Boom\r\n",
                    "{\"errorMessage\":\"x\"}"));
            assertThat(r.status).isEqualTo(202);
        }
        assertThat(handler.calls).containsExactly("error req-1 Function.Boom {\"errorMessage\":\"x\"}");
    }

    @Test
    void initErrorIsPassedOn() throws Exception {
        try (Client c = client()) {
            Response r = c.send(post(
                    "/2018-06-01/runtime/init/error",
                    "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError\r\n",
                    "{}"));
            assertThat(r.status).isEqualTo(202);
        }
        assertThat(handler.calls).containsExactly("initError Runtime.ImportModuleError {}");
    }

    @Test
    void chunkedBodiesAndExpectContinueAreUnderstood() throws Exception {
        try (Client c = client()) {
            c.out.write(("POST /2018-06-01/runtime/invocation/req-9/response HTTP/1.1\r\nHost: x\r\n"
                            + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            Response cont = c.read();
            assertThat(cont.status).isEqualTo(100);
            c.out.write("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertThat(c.read().status).isEqualTo(202);
        }
        assertThat(handler.calls).containsExactly("response req-9 hello world");
    }

    @Test
    void oversizedResponseIsRefusedWith413WithoutReadingItAndTheConnectionCloses() throws Exception {
        try (Client c = client()) {
            c.out.write(("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\nContent-Length: "
                            + (RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + 1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            Response r = c.read();
            assertThat(r.status).isEqualTo(413);
            assertThat(r.body()).contains("RequestEntityTooLarge");
            assertThat(r.header("Connection"))
                    .as("the connection closes: said, so the client reconnects")
                    .isEqualTo("close");
            assertThat(c.in.read()).as("connection closed").isEqualTo(-1);
        }
        assertThat(handler.calls).containsExactly("tooLarge req-1 " + (RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + 1));
    }

    @Test
    void handlerAnswersMapToRuntimeApiStatuses() throws Exception {
        handler.answer = RuntimeApiHandler.Answer.INVALID_REQUEST_ID;
        try (Client c = client()) {
            Response r = c.send(post("/2018-06-01/runtime/invocation/nope/response", "", "{}"));
            assertThat(r.status).isEqualTo(400);
            assertThat(r.body()).contains("InvalidRequestID");
            handler.answer = RuntimeApiHandler.Answer.INVALID_STATE_TRANSITION;
            assertThat(c.send(post("/2018-06-01/runtime/invocation/nope/response", "", "{}")).status)
                    .isEqualTo(403);
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        try (Client c = client()) {
            assertThat(c.send("GET /2018-06-01/runtime/other HTTP/1.1\r\nHost: x\r\n\r\n").status)
                    .isEqualTo(404);
            assertThat(c.send(post("/2018-06-01/runtime/invocation/next", "", "")).status)
                    .isEqualTo(405);
        }
    }

    @Test
    void closingTheEndpointReleasesAParkedNext() throws Exception {
        try (Client c = client()) {
            c.out.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            Thread.sleep(100);
            endpoint.close();
            handler.events.add(Recorder.STOP);
            assertThat(c.in.read()).as("connection closed").isIn(-1, (int) 'H');
        }
    }

    @Test
    @Timeout(20)
    void aUnixEndpointServesNextAndResponseLikeTheTcpOne(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runtime-api.sock");
        try (RuntimeApiEndpoint unix = RuntimeApiEndpoint.openUnix(handler, "unix-test", socket)) {
            unix.admit(ownUid()); // checked against the connecting process's uid (SO_PEERCRED)
            assertThat(unix.hostPort()).isEqualTo("127.0.0.1:9001").isEqualTo(RuntimeApiEndpoint.BRIDGED_HOST_PORT);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-rw-rw-");
            handler.events.add(new RuntimeApiHandler.NextEvent(
                    "req-u",
                    1_700_000_000_123L,
                    "arn:aws:lambda:us-east-1:000000000000:function:f",
                    null,
                    null,
                    null,
                    "{\"over\":\"unix\"}".getBytes(StandardCharsets.UTF_8)));
            try (Client c = unixClient(socket)) {
                Response next = c.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(next.status).isEqualTo(200);
                assertThat(next.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-u");
                assertThat(next.header("Lambda-Runtime-Trace-Id")).isNull();
                assertThat(next.body()).isEqualTo("{\"over\":\"unix\"}");
                Response r = c.send(post("/2018-06-01/runtime/invocation/req-u/response", "", "{\"ok\":true}"));
                assertThat(r.status).isEqualTo(202);
                assertThat(c.send(post("/2018-06-01/runtime/invocation/req-u/error", "", "{}")).status)
                        .as("the same connection, kept alive")
                        .isEqualTo(202);
                assertThat(c.send(post("/2018-06-01/runtime/other", "", "")).status)
                        .isEqualTo(404);
            }
        }
        assertThat(handler.calls).containsExactly("response req-u {\"ok\":true}", "error req-u null {}");
        assertThat(socket).doesNotExist();
    }

    @Test
    @Timeout(20)
    void closingAUnixEndpointDropsAParkedNextAndDeletesTheSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runtime-api.sock");
        RuntimeApiEndpoint unix = RuntimeApiEndpoint.openUnix(handler, "unix-test", socket);
        unix.admit(ownUid());
        try (Client c = unixClient(socket)) {
            c.out.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            Thread.sleep(100);
            unix.close();
            handler.events.add(Recorder.STOP);
            assertThat(c.in.read()).as("connection closed").isIn(-1, (int) 'H');
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    @Timeout(20)
    void aUnixConnectionFromAnotherUserIsClosedUnreadAndReachesNothing(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("runtime-api.sock");
        try (RuntimeApiEndpoint unix = RuntimeApiEndpoint.openUnix(handler, "unix-test", socket)) {
            unix.admit(ownUid() + 1_000_000); // the environment is someone else: this test is an intruder
            handler.events.add(new RuntimeApiHandler.NextEvent("secret", 1L, "arn", null, null, null, new byte[] {1}));
            try (Client c = unixClient(socket)) {
                int first;
                try {
                    c.out.write(("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
                                    + post("/2018-06-01/runtime/invocation/secret/response", "", "forged"))
                            .getBytes(StandardCharsets.UTF_8));
                    c.out.flush();
                    first = c.in.read();
                } catch (IOException closed) {
                    first = -1; // closed before we wrote (broken pipe), or with our bytes unread (a reset)
                }
                assertThat(first).isEqualTo(-1);
            }
        }
        assertThat(handler.events).hasSize(1); // the event was not handed out
        assertThat(handler.calls).isEmpty();
    }

    @Test
    void aUnixEndpointDoesNotReplaceAFileAtItsPath(@TempDir Path dir) throws Exception {
        Path taken = Files.writeString(dir.resolve("runtime-api.sock"), "someone else's");
        assertThatThrownBy(() -> RuntimeApiEndpoint.openUnix(handler, "unix-test", taken))
                .isInstanceOf(IOException.class);
        assertThat(taken).hasContent("someone else's");
    }

    private static String post(String path, String headers, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private Client client() throws IOException {
        String[] hp = endpoint.hostPort().split(":");
        return new Client(new Socket(hp[0], Integer.parseInt(hp[1])));
    }

    private static Client unixClient(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new Client(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
    }

    /** Records calls; answers what the test says. */
    static class Recorder implements RuntimeApiHandler {
        static final NextEvent STOP = new NextEvent("", 0, "", null, null, null, new byte[0]);
        final LinkedBlockingQueue<NextEvent> events = new LinkedBlockingQueue<>();
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile Answer answer = Answer.ACCEPTED;

        @Override
        public NextEvent awaitNext() throws InterruptedException {
            NextEvent e = events.poll(5, TimeUnit.SECONDS);
            return e == STOP ? null : e;
        }

        @Override
        public Answer response(String requestId, byte[] body) {
            calls.add("response " + requestId + " " + new String(body, StandardCharsets.UTF_8));
            return answer;
        }

        @Override
        public Answer error(String requestId, String errorType, byte[] body) {
            calls.add("error " + requestId + " " + errorType + " " + new String(body, StandardCharsets.UTF_8));
            return answer;
        }

        @Override
        public Answer initError(String errorType, byte[] body) {
            calls.add("initError " + errorType + " " + new String(body, StandardCharsets.UTF_8));
            return answer;
        }

        @Override
        public void responseTooLarge(String requestId, long declaredBytes) {
            calls.add("tooLarge " + requestId + " " + declaredBytes);
        }
    }

    record Response(int status, List<String> headers, byte[] bodyBytes) {
        String header(String name) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (h.substring(0, colon).equalsIgnoreCase(name)) {
                    return h.substring(colon + 1).trim();
                }
            }
            return null;
        }

        String body() {
            return new String(bodyBytes, StandardCharsets.UTF_8);
        }
    }

    /** A minimal HTTP/1.1 client over a socket, reading Content-Length framed answers. */
    static final class Client implements AutoCloseable {
        final Closeable socket;
        final InputStream in;
        final OutputStream out;

        Client(Socket socket) throws IOException {
            this(socket.getInputStream(), socket.getOutputStream(), socket);
            socket.setSoTimeout(10_000);
        }

        /** Over a unix socket's streams, which have no read timeout: the test sets one. */
        Client(InputStream in, OutputStream out, Closeable socket) {
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        Response send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        }

        Response read() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            List<String> headers = new ArrayList<>();
            int length = 0;
            for (String l; !(l = line()).isEmpty(); ) {
                headers.add(l);
                if (l.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(l.substring(15).trim());
                }
            }
            return new Response(status, headers, in.readNBytes(length));
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
