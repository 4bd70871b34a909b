package dev.spur.testing.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.spur.server.SpurServer;
import dev.spur.testing.FunctionPackage;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** The kit's own server extension: what it injects, what it shares and what it keeps private. */
@SpurTest
class SpurTestTest {
    static Spur spur;

    Spur instanceField;

    @Test
    void theServerIsInjectedIntoFieldsAndParametersAndServesTheSdk(
            Spur parameter, SpurServer server, LambdaClient lambda) {
        assertThat(parameter).isSameAs(spur).isSameAs(instanceField);
        assertThat(server).isSameAs(spur.server());
        assertThat(lambda).isSameAs(spur.lambda());
        assertThat(spur.endpoint()).isEqualTo("http://127.0.0.1:" + spur.port());
        assertThat(spur.server().isolation()).isEqualTo("process");
        assertThat(spur.dataDir())
                .isDirectory()
                .satisfies(d -> assertThat(Files.exists(d.resolve("spur.db"))).isTrue());

        String name = spur.deploy("kit", FunctionPackage.testRuntime());
        assertThat(Spur.ok(spur.invoke(name, Map.of("n", 1)))
                        .get("event")
                        .get("n")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void aSharedServerRefusesToRestart() {
        assertThat(spur.shared()).isTrue();
        assertThatIllegalStateException().isThrownBy(spur::restart).withMessageContaining("shared = false");
    }

    @Test
    void aParameterAskingTheClasssOptionsGetsTheSameSharedServer(@SpurTest Spur same) {
        assertThat(same).isSameAs(spur);
    }

    @Test
    void aPrivateServerIsFreshAndRestartsOnItsDataDirectory(
            @SpurTest(shared = false, auth = SpurServer.Auth.SIGV4) Spur own) {
        assertThat(own).isNotSameAs(spur);
        assertThat(own.shared()).isFalse();
        assertThat(own.dataDir()).isNotEqualTo(spur.dataDir());
        assertThat(own.server().auth()).isEqualTo(SpurServer.Auth.SIGV4);
        var key = own.newKey("123456789012");

        own.restart();

        try (LambdaClient signed = own.client(key)) {
            assertThat(signed.listFunctions().functions()).isEmpty(); // the key survived the restart
        }
    }
}
