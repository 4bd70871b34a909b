package dev.spur.cli;

import dev.spur.auth.Credential;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * {@code --endpoint} and the signing key, shared by every command that talks to a running Spur.
 *
 * <p>Requests are signed (SigV4, service {@code lambda}) whenever an access key and its secret are
 * known, from the options or else from {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}.
 * A server started with {@code --auth none} ignores signatures, so signing there is harmless; without
 * a key requests go unsigned, as before.
 */
final class EndpointOption {
    static final String DEFAULT_REGION = "us-east-1";

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            defaultValue = "${env:SPUR_ENDPOINT:-" + SpurClient.DEFAULT_ENDPOINT + "}",
            description = "Spur's URL (default: $SPUR_ENDPOINT, else " + SpurClient.DEFAULT_ENDPOINT + ").")
    String endpoint;

    @Option(
            names = "--access-key",
            paramLabel = "ID",
            description = "Sign requests with this access key (default: $AWS_ACCESS_KEY_ID); "
                    + "needed by a server run with --auth sigv4.")
    String accessKey;

    @Option(
            names = "--secret-key",
            paramLabel = "SECRET",
            description = "The access key's secret (default: $AWS_SECRET_ACCESS_KEY; prefer that: "
                    + "other users of this machine can see a process's arguments).")
    String secretKey;

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description = "The region to sign for (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else "
                    + DEFAULT_REGION + "). Functions live in the region their requests are signed for.")
    String region;

    SpurClient client() {
        return new SpurClient(endpoint, signing(System::getenv), InstantSource.system());
    }

    /**
     * The key and region to sign with: each of key and secret from its option, else the environment.
     * Only one of the pair given on the command line is a usage error; only one in the environment
     * means no signing, as a partial AWS setup meant for something else should not break unsigned use.
     */
    Optional<SpurClient.Signing> signing(UnaryOperator<String> env) {
        String id = firstNonBlank(accessKey, env.apply("AWS_ACCESS_KEY_ID"));
        String secret = firstNonBlank(secretKey, env.apply("AWS_SECRET_ACCESS_KEY"));
        if (id == null || secret == null) {
            if (accessKey != null || secretKey != null) {
                throw CliException.usage("--access-key and --secret-key go together (either may come from "
                        + "$AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY)");
            }
            return Optional.empty();
        }
        String signingRegion = firstNonBlank(
                region,
                firstNonBlank(env.apply("AWS_REGION"), firstNonBlank(env.apply("AWS_DEFAULT_REGION"), DEFAULT_REGION)));
        // The account is the server's business: it looks the key up. Signing needs only the pair.
        return Optional.of(new SpurClient.Signing(new Credential(id, secret, ""), signingRegion));
    }

    private static String firstNonBlank(String value, String fallback) {
        return value != null && !value.isBlank() ? value : fallback;
    }
}
