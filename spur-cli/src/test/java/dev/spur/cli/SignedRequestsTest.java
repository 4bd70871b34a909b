package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spur.auth.Credential;
import dev.spur.server.SpurServer;
import dev.spur.testing.FunctionPackage;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client commands sign their requests, so they work against a server run with {@code --auth sigv4}. */
@SpurTest(auth = SpurServer.Auth.SIGV4)
class SignedRequestsTest {
    private static final String ACCOUNT = "111122223333";

    @TempDir
    static Path fn;

    static Spur server;
    static final Cli spur = new Cli(() -> server);
    static Credential key;

    @TempDir
    Path work;

    @BeforeAll
    static void keyAndFunction() {
        key = server.newKey(ACCOUNT);
        FunctionPackage.echo("echo").writeTo(fn);
    }

    @Test
    void deployInvokeLsLogsAndRmWorkWhenSignedWithAKey() {
        Cli.Result created = spur.spur("deploy", withKey(key, deployArgs("signed")));
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out())
                .startsWith("arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:signed\n")
                .contains("created: ");

        Cli.Result invoked = spur.spur("invoke", withKey(key, "signed", "{\"n\":1}"));
        assertThat(invoked.exit()).as(invoked.err()).isZero();
        assertThat(invoked.out()).contains("{\"echo\":{\"n\":1}}");

        Cli.Result updated = spur.spur("deploy", withKey(key, deployArgs("signed", "--memory", "256")));
        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(updated.out()).contains("updated: ");

        Cli.Result listed = spur.spur("ls", withKey(key));
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).containsPattern("(?m)^signed +provided\\.al2023 +256 MB");

        Cli.Result logs = spur.spur("logs", withKey(key, "signed"));
        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out()).contains("event {\"n\":1}").contains("REPORT RequestId: ");

        Cli.Result removed = spur.spur("rm", withKey(key, "signed"));
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out()).isEqualTo("deleted signed\n");
        assertThat(spur.spur("ls", withKey(key)).out()).doesNotContain("signed");
    }

    @Test
    void functionsBelongToTheSigningKeysAccount() {
        Credential otherAccount = server.newKey("444455556666");
        assertThat(spur.spur("deploy", withKey(key, deployArgs("mine"))).exit()).isZero();

        Cli.Result invoked = spur.spur("invoke", withKey(otherAccount, "mine"));

        assertThat(invoked.exit()).isEqualTo(3);
        assertThat(invoked.err())
                .startsWith("spur: ResourceNotFoundException: ")
                .contains("444455556666");
        assertThat(spur.spur("rm", withKey(key, "mine")).exit()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy", "invoke", "ls", "logs", "rm"})
    void unsignedExitsThreeWithMissingAuthenticationToken(String command) {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null, "the environment supplies a key");

        Cli.Result result = spur.spur(command, args(command));

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err()).startsWith("spur: MissingAuthenticationTokenException: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy", "invoke", "ls", "logs", "rm"})
    void aWrongSecretExitsThreeWithInvalidSignature(String command) {
        Credential wrongSecret = new Credential(key.accessKeyId(), "not-" + key.secretKey(), "");

        Cli.Result result = spur.spur(command, withKey(wrongSecret, args(command)));

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err())
                .startsWith("spur: InvalidSignatureException: The request signature we calculated " + "does not match")
                .doesNotContain(key.secretKey());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy", "invoke", "ls", "logs", "rm"})
    void anUnknownKeyExitsThreeWithUnrecognizedClient(String command) {
        Credential unknown = new Credential("AKSPNOSUCHKEY0000000", key.secretKey(), "");

        Cli.Result result = spur.spur(command, withKey(unknown, args(command)));

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err())
                .isEqualTo("spur: UnrecognizedClientException: "
                        + "The security token included in the request is invalid.\n");
    }

    @Test
    void anAccessKeyWithoutItsSecretIsAUsageError() {
        Cli.Result result = spur.spur("ls", "--access-key", key.accessKeyId());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("--access-key and --secret-key go together");
    }

    @Test
    void aServerWithoutAuthenticationAcceptsSignedCommandsToo(@SpurTest Spur openServer) {
        Cli open = new Cli(() -> openServer);
        Credential dummy = new Credential("spur", "spur", "");
        assertThat(open.spur("deploy", withKey(dummy, deployArgs("open"))).exit())
                .isZero();

        Cli.Result invoked = open.spur("invoke", withKey(dummy, "open", "{\"n\":2}"));

        assertThat(invoked.exit()).as(invoked.err()).isZero();
        assertThat(invoked.out()).contains("{\"echo\":{\"n\":2}}");
        assertThat(open.spur("invoke", "open").exit()).as("unsigned, as before").isZero();
    }

    @Test
    void keyAndRegionComeFromTheEnvironmentWhenNotGiven() {
        Map<String, String> env = Map.of(
                "AWS_ACCESS_KEY_ID", "AKSPENV", "AWS_SECRET_ACCESS_KEY", "s3cret", "AWS_DEFAULT_REGION", "eu-west-1");
        EndpointOption option = new EndpointOption();

        assertThat(option.signing(env::get))
                .contains(new SpurClient.Signing(new Credential("AKSPENV", "s3cret", ""), "eu-west-1"));
        assertThat(option.signing(Map.of("AWS_ACCESS_KEY_ID", "only-the-id")::get))
                .isEmpty();
        assertThat(option.signing(name -> null)).isEqualTo(Optional.empty());
        option.accessKey = "AKSPOPTION";
        option.region = "ap-south-1";
        assertThat(option.signing(env::get))
                .contains(new SpurClient.Signing(new Credential("AKSPOPTION", "s3cret", ""), "ap-south-1"));
    }

    /** Arguments that make {@code command} send a request for the function "echo". */
    private static String[] args(String command) {
        return switch (command) {
            case "deploy" -> deployArgs("echo");
            case "ls" -> new String[0];
            default -> new String[] {"echo"};
        };
    }

    private static String[] deployArgs(String name, String... options) {
        List<String> args = new ArrayList<>(
                List.of(fn.toString(), "--name", name, "--runtime", "provided.al2023", "--handler", "unused"));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    private static String[] withKey(Credential credential, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--access-key", credential.accessKeyId(), "--secret-key", credential.secretKey()));
        return all.toArray(String[]::new);
    }
}
