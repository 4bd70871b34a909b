package dev.spur.runtimeapi;

import dev.spur.runtimeapi.RuntimeApiHandler.Answer;
import dev.spur.runtimeapi.RuntimeApiHandler.NextEvent;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Serves one runtime connection: a small HTTP/1.1 server for exactly the four Runtime API calls.
 *
 * <p>Handles what real runtime clients send: keep-alive and {@code Connection: close},
 * {@code Content-Length} and chunked bodies, {@code Expect: 100-continue} (curl sends it for large
 * bodies), and streamed responses ({@code Lambda-Runtime-Function-Response-Mode: streaming}), whose
 * body goes to {@link RuntimeApiHandler#streamResponse} as it arrives. A body over {@link RuntimeApiEndpoint#MAX_PAYLOAD_BYTES} is answered 413 without being
 * read, and the connection is closed since the unread body cannot be skipped.
 */
final class RuntimeApiConnection {
    private static final String PREFIX = "/2018-06-01/runtime/";
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCEPTED_BODY = "{\"status\":\"OK\"}".getBytes(StandardCharsets.US_ASCII);

    private final Object peer;
    private final RuntimeApiHandler handler;
    private final InputStream in;
    private final OutputStream out;
    private final RequestHead head = new RequestHead();

    RuntimeApiConnection(Socket socket, RuntimeApiHandler handler) throws IOException {
        this(socket.getInputStream(), socket.getOutputStream(), socket, handler);
        socket.setTcpNoDelay(true);
    }

    /**
     * A connection over any byte streams (a unix socket's); closing them is the caller's job.
     *
     * @param peer what {@link #toString()} names the connection by
     */
    RuntimeApiConnection(InputStream in, OutputStream out, Object peer, RuntimeApiHandler handler) {
        this.peer = peer;
        this.handler = handler;
        this.in = new BufferedInputStream(in, 16 * 1024);
        this.out = new BufferedOutputStream(out, 16 * 1024);
    }

    void serve() throws IOException {
        while (head.read(in)) {
            boolean keepAlive = dispatch();
            out.flush();
            if (!keepAlive || head.connectionClose) {
                return;
            }
        }
    }

    /** Handles one request; false when the connection must close afterwards. */
    private boolean dispatch() throws IOException {
        String path = head.path;
        String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
        String requestId = null;
        String verb = null;
        if (rest.equals("invocation/next") || rest.equals("init/error")) {
            verb = rest;
        } else if (rest.startsWith("invocation/")) {
            int slash = rest.lastIndexOf('/');
            String tail = rest.substring(slash + 1);
            if (slash > "invocation/".length() && (tail.equals("response") || tail.equals("error"))) {
                requestId = rest.substring("invocation/".length(), slash);
                verb = tail;
            }
        }
        if (verb == null) {
            return answerError(404, "NotFound", "Unknown Runtime API path " + path, skipBody());
        }
        String method = verb.equals("invocation/next") ? "GET" : "POST";
        if (!head.method.equals(method)) {
            return answerError(405, "MethodNotAllowed", "Use " + method + " for " + path, skipBody());
        }
        if (verb.equals("invocation/next")) {
            return next();
        }
        if (verb.equals("response") && head.streaming) {
            return streamed(requestId);
        }
        byte[] body = readBody(requestId);
        if (body == null) {
            return false;
        }
        return answer(
                switch (verb) {
                    case "response" -> handler.response(requestId, body);
                    case "error" -> handler.error(requestId, head.errorType, body);
                    default -> handler.initError(head.errorType, body);
                });
    }

    private boolean next() throws IOException {
        NextEvent event;
        try {
            event = handler.awaitNext();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (event == null) {
            answerError(500, "ContainerError", "The environment is shutting down", false);
            return false;
        }
        StringBuilder h = new StringBuilder(512)
                .append("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                .append("Lambda-Runtime-Aws-Request-Id: ")
                .append(event.requestId())
                .append("\r\n")
                .append("Lambda-Runtime-Deadline-Ms: ")
                .append(event.deadlineEpochMillis())
                .append("\r\n")
                .append("Lambda-Runtime-Invoked-Function-Arn: ")
                .append(event.invokedFunctionArn())
                .append("\r\n");
        if (event.traceId() != null) {
            h.append("Lambda-Runtime-Trace-Id: ").append(event.traceId()).append("\r\n");
        }
        if (event.clientContext() != null) {
            h.append("Lambda-Runtime-Client-Context: ")
                    .append(event.clientContext())
                    .append("\r\n");
        }
        if (event.cognitoIdentity() != null) {
            h.append("Lambda-Runtime-Cognito-Identity: ")
                    .append(event.cognitoIdentity())
                    .append("\r\n");
        }
        h.append("Content-Length: ").append(event.payload().length).append("\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(event.payload());
        return true;
    }

    /**
     * A streamed response: the handler reads the body as it arrives. Keeps the connection only if the
     * body was read to its end and the answer allows it.
     */
    private boolean streamed(String requestId) throws IOException {
        if (head.expectContinue) {
            out.write(CONTINUE);
            out.flush();
        }
        ChunkedBody body = head.chunked
                ? ChunkedBody.chunked(in, head.contentType)
                : ChunkedBody.ofLength(in, head.contentType, head.contentLength);
        Answer answer = handler.streamResponse(requestId, body);
        if (answer == Answer.ACCEPTED) {
            write(202, "Accepted", ACCEPTED_BODY, body.ended());
            return body.ended();
        }
        answerError(answer.status, answer.errorType, answer.message, false);
        return false;
    }

    /**
     * Reads the request body within the payload limit. Returns null after answering 413 (the caller
     * closes the connection); tells the handler when the body belonged to an invocation.
     */
    private byte[] readBody(String requestId) throws IOException {
        long declared = head.contentLength;
        if (declared > RuntimeApiEndpoint.MAX_PAYLOAD_BYTES) {
            tooLarge(requestId, declared);
            return null;
        }
        if (head.expectContinue) {
            out.write(CONTINUE);
            out.flush();
        }
        if (head.chunked) {
            byte[] body = Chunked.read(in, RuntimeApiEndpoint.MAX_PAYLOAD_BYTES);
            if (body == null) {
                tooLarge(requestId, RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + 1L);
            }
            return body;
        }
        if (declared <= 0) {
            return new byte[0];
        }
        byte[] body = in.readNBytes((int) declared);
        if (body.length < declared) {
            throw new IOException("connection closed inside a request body");
        }
        return body;
    }

    private void tooLarge(String requestId, long bytes) throws IOException {
        if (requestId != null) {
            handler.responseTooLarge(requestId, bytes);
        }
        answerError(
                413,
                "RequestEntityTooLarge",
                "Exceeded maximum allowed payload size (" + RuntimeApiEndpoint.MAX_PAYLOAD_BYTES + " bytes).",
                false);
    }

    /** Discards a small body of a request we refuse; false if it cannot be skipped (then close). */
    private boolean skipBody() throws IOException {
        if (head.chunked || head.contentLength > 64 * 1024) {
            return false;
        }
        if (head.contentLength > 0) {
            in.skipNBytes(head.contentLength);
        }
        return true;
    }

    private boolean answer(Answer answer) throws IOException {
        if (answer == Answer.ACCEPTED) {
            write(202, "Accepted", ACCEPTED_BODY, true);
            return true;
        }
        return answerError(answer.status, answer.errorType, answer.message, answer != Answer.CONTAINER_ERROR);
    }

    private boolean answerError(int status, String errorType, String message, boolean keepAlive) throws IOException {
        String json = "{\"errorMessage\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"errorType\":\"" + errorType + "\"}";
        write(status, reason(status), json.getBytes(StandardCharsets.UTF_8), keepAlive);
        return keepAlive;
    }

    /** One answer; without keep-alive it says {@code Connection: close}, so the client reconnects at once. */
    private void write(int status, String reason, byte[] body, boolean keepAlive) throws IOException {
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "Content-Length: " + body.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Payload Too Large";
            default -> "Internal Server Error";
        };
    }

    @Override
    public String toString() {
        return "RuntimeApiConnection[" + (peer instanceof Socket socket ? socket.getRemoteSocketAddress() : peer) + "]";
    }
}
