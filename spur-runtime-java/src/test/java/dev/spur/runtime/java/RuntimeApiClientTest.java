package dev.spur.runtime.java;

import static dev.spur.runtime.java.TestInvocations.bytes;
import static dev.spur.runtime.java.TestInvocations.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Parsing the Runtime API's answers, from bytes as they arrive on the socket. */
class RuntimeApiClientTest {

    private static RuntimeApiClient.Response parse(String wire) throws IOException {
        return RuntimeApiClient.readResponse(new ByteArrayInputStream(bytes(wire)));
    }

    @Test
    void nextResponseBecomesAnInvocationWithEveryHeader() throws IOException {
        String body = "{\"key\":\"välue\"}";
        RuntimeApiClient.Response response = parse("HTTP/1.1 200 OK\r\n"
                + "Content-Type: application/json\r\n"
                + "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
                + "Lambda-Runtime-Deadline-Ms: 1542409706888\r\n"
                + "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-2:123456789012:function:custom-runtime\r\n"
                + "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n"
                + "Lambda-Runtime-Client-Context: {\"custom\":{\"k\":\"ü\"}}\r\n"
                + "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"id\"}\r\n"
                + "Content-Length: " + bytes(body).length + "\r\n\r\n" + body);
        Invocation invocation = RuntimeApiClient.invocation(response);
        assertThat(invocation.requestId()).isEqualTo("8476a536-e9f4-11e8-9739-2dfe598c3fcd");
        assertThat(invocation.deadlineMs()).isEqualTo(1542409706888L);
        assertThat(invocation.functionArn()).isEqualTo("arn:aws:lambda:us-east-2:123456789012:function:custom-runtime");
        assertThat(invocation.traceId()).startsWith("Root=1-5bef4de7");
        assertThat(invocation.clientContext()).isEqualTo("{\"custom\":{\"k\":\"ü\"}}");
        assertThat(invocation.cognitoIdentity()).isEqualTo("{\"cognitoIdentityId\":\"id\"}");
        assertThat(text(invocation.event())).isEqualTo(body);
        assertThat(response.closes()).isFalse();
    }

    @Test
    void chunkedBodyIsReassembled() throws IOException {
        RuntimeApiClient.Response response = parse("HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\n{\"sta\r\n9\r\ntus\":\"OK\"\r\n1\r\n}\r\n0\r\nTrailer: x\r\n\r\n");
        assertThat(response.status()).isEqualTo(202);
        assertThat(text(response.body())).isEqualTo("{\"status\":\"OK\"}");
        assertThat(response.closes()).isFalse();
    }

    @Test
    void bodyWithoutLengthEndsWithTheConnection() throws IOException {
        RuntimeApiClient.Response response = parse("HTTP/1.0 500 Internal Server Error\r\n\r\n{\"errorType\":\"x\"}");
        assertThat(response.status()).isEqualTo(500);
        assertThat(text(response.body())).isEqualTo("{\"errorType\":\"x\"}");
        assertThat(response.closes()).isTrue();
    }

    @Test
    void connectionCloseHeaderIsHonoured() throws IOException {
        assertThat(parse("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                        .closes())
                .isTrue();
    }

    @Test
    void truncatedBodyIsAnError() {
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void nextAnsweredWithAnythingButOkTellsTheRuntimeToExit() throws IOException {
        RuntimeApiClient.Response response = parse("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}");
        assertThatThrownBy(() -> RuntimeApiClient.invocation(response)).isInstanceOf(RuntimeApiClient.Fatal.class);
    }

    @Test
    void nextWithoutRequestIdTellsTheRuntimeToExit() throws IOException {
        RuntimeApiClient.Response response = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        assertThatThrownBy(() -> RuntimeApiClient.invocation(response)).isInstanceOf(RuntimeApiClient.Fatal.class);
    }
}
