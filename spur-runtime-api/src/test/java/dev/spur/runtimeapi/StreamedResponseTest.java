package dev.spur.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.runtimeapi.RuntimeApiEndpointTest.Client;
import dev.spur.runtimeapi.RuntimeApiEndpointTest.Recorder;
import dev.spur.runtimeapi.RuntimeApiEndpointTest.Response;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streamed responses ({@code Lambda-Runtime-Function-Response-Mode: streaming}) over raw sockets: the
 * handler sees each piece before the runtime has sent the next, trailers carry a mid-stream error, and
 * a handler that buffers (the default) gets an ordinary response or error.
 */
class StreamedResponseTest {
    private RuntimeApiEndpoint endpoint;

    @AfterEach
    void close() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private Client client(RuntimeApiHandler handler) throws IOException {
        endpoint = RuntimeApiEndpoint.open(handler, "test");
        endpoint.admit(RuntimeApiEndpointTest.ownUid());
        String[] hp = endpoint.hostPort().split(":");
        return new Client(new Socket(hp[0], Integer.parseInt(hp[1])));
    }

    private static String head(String requestId) {
        return "POST /2018-06-01/runtime/invocation/" + requestId + "/response HTTP/1.1\r\nHost: x\r\n"
                + "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: text/plain\r\nTrailer: Lambda-Runtime-Function-Error-Type, "
                + "Lambda-Runtime-Function-Error-Body\r\n\r\n";
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    @Test
    void eachPieceReachesTheHandlerBeforeTheRuntimeSendsTheNext() throws Exception {
        Pieces handler = new Pieces();
        try (Client c = client(handler)) {
            c.out.write(head("req-1").getBytes(StandardCharsets.UTF_8));
            c.out.write(chunk("first").getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            // the handler has the first piece while the runtime has not written the second: nothing buffered it
            assertThat(handler.pieces.poll(10, TimeUnit.SECONDS)).isEqualTo("first");
            c.out.write((chunk("second") + "0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            assertThat(handler.pieces.poll(10, TimeUnit.SECONDS)).isEqualTo("second");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(202);
            assertThat(r.header("Connection")).isNull(); // read to its end: the connection is kept
            assertThat(handler.pieces.poll(10, TimeUnit.SECONDS)).isEqualTo("end text/plain error=none");
            // and serves the next request
            Response again = c.send("GET /2018-06-01/runtime/invocation/nope HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(again.status()).isEqualTo(404);
        }
    }

    @Test
    void aMidStreamErrorArrivesInTheTrailers() throws Exception {
        Pieces handler = new Pieces();
        String error = Base64.getEncoder()
                .encodeToString("{\"errorType\":\"Error\",\"errorMessage\":\"boom\"}".getBytes(StandardCharsets.UTF_8));
        try (Client c = client(handler)) {
            Response r = c.send(head("req-1") + chunk("partial") + "0\r\nLambda-Runtime-Function-Error-Type: Error\r\n"
                    + "Lambda-Runtime-Function-Error-Body: " + error + "\r\n\r\n");
            assertThat(r.status()).isEqualTo(202);
        }
        assertThat(handler.pieces.poll(10, TimeUnit.SECONDS)).isEqualTo("partial");
        assertThat(handler.pieces.poll(10, TimeUnit.SECONDS))
                .isEqualTo("end text/plain error=Error {\"errorType\":\"Error\",\"errorMessage\":\"boom\"}");
    }

    @Test
    void aHandlerThatBuffersGetsAnOrdinaryResponseOrError() throws Exception {
        Recorder handler = new Recorder();
        try (Client c = client(handler)) {
            assertThat(c.send(head("req-1") + chunk("hel") + chunk("lo") + "0\r\n\r\n")
                            .status())
                    .isEqualTo(202);
            assertThat(c.send(head("req-2") + chunk("x") + "0\r\nLambda-Runtime-Function-Error-Type: Oops\r\n"
                                    + "Lambda-Runtime-Function-Error-Body: "
                                    + Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8))
                                    + "\r\n\r\n")
                            .status())
                    .isEqualTo(202);
        }
        assertThat(handler.calls).containsExactly("response req-1 hello", "error req-2 Oops {}");
    }

    @Test
    void aHandlerThatStopsReadingIsAnsweredAndTheConnectionCloses() throws Exception {
        RuntimeApiHandler limited = new Recorder() {
            @Override
            public Answer streamResponse(String requestId, StreamedBody body) throws IOException {
                body.read(new byte[4], 0, 4); // a limit of 4 bytes: the rest is never read
                return Answer.RESPONSE_TOO_LARGE;
            }
        };
        try (Client c = client(limited)) {
            Response r = c.send(head("req-1") + chunk("more than four bytes"));
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    /** Records each piece as it is read, then how the body ended. */
    static final class Pieces extends Recorder {
        final LinkedBlockingQueue<String> pieces = new LinkedBlockingQueue<>();

        @Override
        public Answer streamResponse(String requestId, StreamedBody body) throws IOException {
            byte[] buffer = new byte[1024];
            int n;
            while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
                pieces.add(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            String error = body.trailer(StreamedBody.ERROR_TYPE_TRAILER)
                    .map(t -> t + " " + new String(StreamedBodies.errorBody(body), StandardCharsets.UTF_8))
                    .orElse("none");
            pieces.add("end " + body.contentType().orElse("-") + " error=" + error);
            return Answer.ACCEPTED;
        }
    }
}
