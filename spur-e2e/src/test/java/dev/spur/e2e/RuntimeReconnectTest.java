package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * A runtime that gives up on a waiting {@code next} (its connection dropped while the environment
 * was idle) and asks again on a new connection gets the next event there: the newest wait wins, so
 * the event is not written to the dead connection and lost until the invocation's timeout. Plain
 * processes only: a frozen (linux) environment does nothing while idle, so it cannot drop anything then.
 */
@SpurTest(sandbox = SpurTest.Sandbox.PROCESS)
class RuntimeReconnectTest {
    static Spur spur;

    /** Answers an event on one connection, then abandons its next wait there and waits on a new one. */
    static final String BOOTSTRAP = """
            #!/usr/bin/python3
            import http.client, os, socket, time
            host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
            NEXT = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"

            def serve(c, tag):
                c.request("GET", "/2018-06-01/runtime/invocation/next")
                r = c.getresponse()
                body = r.read()
                rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
                c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, body=b'{"%s":' % tag + body + b'}')
                c.getresponse().read()

            serve(http.client.HTTPConnection(host, int(port)), b"first")
            given_up = socket.create_connection((host, int(port)))
            given_up.sendall(NEXT)
            time.sleep(0.2)
            given_up.close()
            again = http.client.HTTPConnection(host, int(port))
            while True:
                serve(again, b"again")
            """;

    @BeforeAll
    static void requirePython() {
        Tools.python();
    }

    @Test
    void aRuntimeThatGivesUpOnANextAndAsksAgainGetsTheEventThere() throws Exception {
        String name = spur.deploy("renext", FunctionPackage.provided(BOOTSTRAP));
        assertThat(invoke(name).payload().asUtf8String()).isEqualTo("{\"first\":{\"n\":1}}");
        Thread.sleep(600); // the runtime drops its waiting next and asks again on a new connection

        InvokeResponse r = invoke(name);
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        assertThat(r.payload().asUtf8String()).isEqualTo("{\"again\":{\"n\":1}}");
    }

    private static InvokeResponse invoke(String name) {
        return spur.lambda().invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String("{\"n\":1}")));
    }
}
