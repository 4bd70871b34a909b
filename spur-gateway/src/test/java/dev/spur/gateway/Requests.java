package dev.spur.gateway;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test requests: {@code Requests.get("/p").header("A", "b").build()}. */
final class Requests {
    private final String method;
    private final String path;
    private String query;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private byte[] body = new byte[0];
    private Instant time = Instant.ofEpochMilli(1583348638390L);
    private String sourceIp = "123.123.123.123";

    private Requests(String method, String path) {
        this.method = method;
        this.path = path;
    }

    static Requests get(String path) {
        return new Requests("GET", path);
    }

    static Requests request(String method, String path) {
        return new Requests(method, path);
    }

    Requests query(String rawQuery) {
        this.query = rawQuery;
        return this;
    }

    Requests header(String name, String value) {
        headers.add(Map.entry(name, value));
        return this;
    }

    Requests body(byte[] bytes) {
        this.body = bytes;
        return this;
    }

    Requests time(Instant time) {
        this.time = time;
        return this;
    }

    Requests sourceIp(String ip) {
        this.sourceIp = ip;
        return this;
    }

    HttpRequestData build() {
        return new HttpRequestData(method, path, query, headers, body, sourceIp, "HTTP/1.1", time);
    }
}
