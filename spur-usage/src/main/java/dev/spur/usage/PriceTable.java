package dev.spur.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * What usage costs, in US dollars: by default Lambda's public us-east-1 list prices for x86 (first
 * duration tier, no free tier, no Savings Plans). An operator replaces any of them with a JSON file of
 * the same field names ({@code spur server --prices prices.json}).
 *
 * @param requestsPerMillion          per million requests ($0.20)
 * @param gbSecond                    on-demand duration, per GB-second ($0.0000166667)
 * @param provisionedGbSecond         provisioned concurrency kept, per GB-second ($0.0000041667)
 * @param provisionedDurationGbSecond duration on provisioned environments, per GB-second ($0.0000097222)
 * @param ephemeralGbSecond           ephemeral storage above 512 MB, per GB-second ($0.0000000309)
 */
public record PriceTable(
        double requestsPerMillion,
        double gbSecond,
        double provisionedGbSecond,
        double provisionedDurationGbSecond,
        double ephemeralGbSecond) {

    /** Lambda's us-east-1 x86 list prices. */
    public static final PriceTable US_EAST_1 =
            new PriceTable(0.20, 0.0000166667, 0.0000041667, 0.0000097222, 0.0000000309);

    public PriceTable {
        for (double price : new double[] {
            requestsPerMillion, gbSecond, provisionedGbSecond, provisionedDurationGbSecond, ephemeralGbSecond
        }) {
            if (!(price >= 0) || Double.isInfinite(price)) {
                throw new IllegalArgumentException("a price must be a finite number ≥ 0, not " + price);
            }
        }
    }

    /**
     * The defaults with the fields {@code file} names replaced.
     *
     * @throws IllegalArgumentException naming the field, for an unknown field or a value that is not a price
     */
    public static PriceTable load(Path file) {
        try {
            return US_EAST_1.with(Json.MAPPER.readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the price table " + file + ": " + e.getMessage(), e);
        }
    }

    PriceTable with(JsonNode overrides) {
        if (overrides == null || !overrides.isObject()) {
            throw new IllegalArgumentException("a price table is a JSON object of prices");
        }
        double[] p = {requestsPerMillion, gbSecond, provisionedGbSecond, provisionedDurationGbSecond, ephemeralGbSecond
        };
        String[] names = {
            "requestsPerMillion", "gbSecond", "provisionedGbSecond", "provisionedDurationGbSecond", "ephemeralGbSecond"
        };
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int i = Arrays.asList(names).indexOf(e.getKey());
            if (i < 0) {
                throw new IllegalArgumentException(
                        "unknown price " + e.getKey() + "; known: " + String.join(", ", names));
            }
            if (!e.getValue().isNumber()) {
                throw new IllegalArgumentException("the price " + e.getKey() + " must be a number");
            }
            p[i] = e.getValue().asDouble();
        }
        return new PriceTable(p[0], p[1], p[2], p[3], p[4]);
    }
}
