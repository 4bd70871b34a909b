package dev.spur.cli;

import picocli.CommandLine.Option;

/** {@code --endpoint}, shared by every command that talks to a running Spur. */
final class EndpointOption {
    @Option(names = "--endpoint", paramLabel = "URL",
            defaultValue = "${env:SPUR_ENDPOINT:-" + SpurClient.DEFAULT_ENDPOINT + "}",
            description = "Spur's URL (default: $SPUR_ENDPOINT, else " + SpurClient.DEFAULT_ENDPOINT + ").")
    String endpoint;

    SpurClient client() {
        return new SpurClient(endpoint);
    }
}
