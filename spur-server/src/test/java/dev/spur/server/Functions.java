package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Functions created through the server's own API, for tests that need one to address (not to run). */
final class Functions {
    private Functions() {}

    /** A zip with a {@code bootstrap} that exits: enough to create a {@code provided} function. */
    static byte[] zip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            ZipEntry entry = new ZipEntry("bootstrap");
            zip.putNextEntry(entry);
            zip.write("#!/bin/sh\nexit 0\n".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Creates {@code name} ({@code provided.al2023}), published as version 1 too. */
    static void create(int port, String name) {
        RawHttp.Response created = RawHttp.post(port, "/2015-03-31/functions", """
                {"FunctionName":"%s","Runtime":"provided.al2023","Handler":"h","Publish":true,
                 "Role":"arn:aws:iam::000000000000:role/test","Code":{"ZipFile":"%s"}}""".formatted(
                        name, Base64.getEncoder().encodeToString(zip())));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    /** Creates {@code name} ({@code python3.12}) whose {@code app.py} is {@code source}, handler {@code app.handler}. */
    static void createPython(int port, String name, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("app.py"));
            zip.write(source.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RawHttp.Response created = RawHttp.post(port, "/2015-03-31/functions", """
                {"FunctionName":"%s","Runtime":"python3.12","Handler":"app.handler",
                 "Role":"arn:aws:iam::000000000000:role/test","Code":{"ZipFile":"%s"}}""".formatted(
                        name, Base64.getEncoder().encodeToString(bytes.toByteArray())));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }
}
