package dev.spur.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A bare Jetty server on an ephemeral loopback port running one handler (a {@link Router}, usually),
 * configured for URIs as {@link EdgeServer} is, and a one-shot raw HTTP client: how this module's unit
 * tests give the edge's pieces real requests without the rest of Spur.
 */
final class BareJetty implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private BareJetty(Handler handler) {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.LEGACY);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
    }

    static BareJetty serve(Handler handler) {
        BareJetty jetty = new BareJetty(handler);
        try {
            jetty.server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return jetty;
    }

    /** Every request to the handler: a router without routes hands each one to its fallback. */
    static BareJetty serve(Router.RouteHandler handler) {
        return serve(new Router(handler));
    }

    /**
     * Sends {@code head} (request line and headers, CRLF-separated, without the blank line; {@code Host}
     * and {@code Connection: close} are added) and {@code body}, and reads the answer to the end.
     */
    Answer send(String head, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String request = head + "\r\nHost: localhost\r\nConnection: close\r\n"
                + (bytes.length > 0 ? "Content-Length: " + bytes.length + "\r\n" : "") + "\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            return Answer.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer get(String target) {
        return send("GET " + target + " HTTP/1.1", "");
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A response as read off the wire: status, header lines in order ({@code Name: value}), body (UTF-8). */
    record Answer(int status, List<String> headers, String body) {
        static Answer parse(byte[] bytes) {
            String raw = new String(bytes, StandardCharsets.ISO_8859_1);
            int end = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, end).split("\r\n");
            List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
            String body = raw.substring(end + 4);
            if (headers.stream().anyMatch(h -> h.equalsIgnoreCase("Transfer-Encoding: chunked"))) {
                body = unchunk(body);
            }
            body = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
        }

        /** Every value of a header, in order. */
        List<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream()
                    .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).strip())
                    .toList();
        }

        private static String unchunk(String chunked) {
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (true) {
                int eol = chunked.indexOf("\r\n", at);
                int size = Integer.parseInt(
                        chunked.substring(at, eol).split(";")[0].strip(), 16);
                if (size == 0) {
                    return out.toString();
                }
                out.append(chunked, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
        }
    }
}
