package dev.spur.edge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Arns;
import dev.spur.common.Caller;
import dev.spur.common.FunctionKey;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.store.UsageStore.UsageRow;
import dev.spur.usage.Billing;
import dev.spur.usage.PriceTable;
import dev.spur.usage.UsageMeter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Usage and cost under {@code /spur/v1}, scoped to the caller's account and region:
 *
 * <ul>
 *   <li>{@code GET /spur/v1/usage?function=&since=&until=&by=function,version,day,hour} — requests,
 *       billed milliseconds and GB-seconds (on-demand, provisioned, ephemeral storage) and the estimated
 *       bill, grouped by any of the dimensions (default {@code function}), from the hourly rows the
 *       meter writes (what is pending is flushed first, so the answer includes every finished invocation).
 *       {@code since}/{@code until}: an ISO instant, a date, or an age ({@code 90m}, {@code 24h},
 *       {@code 7d}); widened to whole hours.
 *   <li>{@code GET /spur/v1/series?function=&minutes=} — one function's per-minute invocations, errors,
 *       throttles, cold starts and duration p50/p99 (the console's charts); without {@code function},
 *       invocations and errors of every function of the caller that has a series (the sparklines).
 * </ul>
 */
final class UsageApi implements EdgeApi {
    private static final Pattern AGE = Pattern.compile("(\\d{1,6})([mhd])");
    private static final Set<String> DIMENSIONS = Set.of("function", "version", "day", "hour");
    private static final int MAX_MINUTES = 1440;

    private final UsageMeter usage;
    private final PriceTable prices;
    private final Authentication auth;
    private final InstantSource clock;

    UsageApi(UsageMeter usage, PriceTable prices, Authentication auth, InstantSource clock) {
        this.usage = usage;
        this.prices = prices;
        this.auth = auth;
        this.clock = clock;
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/spur/v1/usage", this::usage).add("GET", "/spur/v1/series", this::series);
    }

    void usage(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            Instant now = clock.instant();
            Instant since = x.query("since").map(t -> time(t, now, "since")).orElse(now.minus(Duration.ofDays(30)));
            Instant until = x.query("until").map(t -> time(t, now, "until")).orElse(now);
            LambdaException.requireValid(!until.isBefore(since), "until must not be before since");
            Set<String> by = dimensions(x.query("by").orElse("function"));
            Optional<String> function = x.query("function")
                    .map(f -> Arns.parseFunctionRef(f, caller.account(), caller.region())
                            .key()
                            .name());
            long fromHour = Math.floorDiv(since.getEpochSecond(), 3600) * 3600;
            long untilHour = Math.floorDiv(until.getEpochSecond() + 3599, 3600) * 3600;
            untilHour = Math.max(untilHour, fromHour + 3600);
            Map<List<String>, UsageRow> groups = new LinkedHashMap<>();
            UsageRow total = empty(caller);
            for (UsageRow r : usage.rows(Optional.of(caller.account()), function, fromHour, untilHour)) {
                if (!r.region().equals(caller.region())) {
                    continue;
                }
                List<String> key = key(r, by);
                groups.merge(key, r.keyed(r.account(), r.region(), key.get(0), key.get(1), r.hour()), UsageRow::plus);
                total = total.plus(r);
            }
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("Since", Instant.ofEpochSecond(fromHour).toString());
            node.put("Until", Instant.ofEpochSecond(untilHour).toString());
            by.forEach(node.putArray("By")::add);
            node.put("Currency", "USD");
            node.set("Prices", Json.MAPPER.valueToTree(prices));
            ArrayNode rows = node.putArray("Rows");
            groups.forEach((key, r) -> {
                ObjectNode row = rows.addObject();
                if (by.contains("function") || by.contains("version")) {
                    row.put("Function", key.get(0));
                }
                if (by.contains("version")) {
                    row.put("Version", key.get(1));
                }
                if (by.contains("day")) {
                    row.put("Day", key.get(2));
                }
                if (by.contains("hour")) {
                    row.put("Hour", key.get(3));
                }
                figures(row, r);
            });
            figures(node.putObject("Total"), total);
            return node;
        });
    }

    void series(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            int minutes = x.query("minutes").map(UsageApi::minutes).orElse(60);
            Optional<String> function = x.query("function");
            if (function.isPresent()) {
                FunctionKey key = Arns.parseFunctionRef(function.get(), caller.account(), caller.region())
                        .key();
                return series(usage, key, minutes);
            }
            return overview(usage, caller, minutes);
        });
    }

    /** One function's series, as {@code GET /spur/v1/series?function=} answers. */
    static ObjectNode series(UsageMeter usage, FunctionKey key, int minutes) {
        UsageMeter.Series s = usage.series(key, minutes);
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Function", key.name());
        node.set("Minutes", epochSeconds(s.minutes()));
        node.set("Invocations", Json.MAPPER.valueToTree(s.invocations()));
        node.set("Errors", Json.MAPPER.valueToTree(s.errors()));
        node.set("Throttles", Json.MAPPER.valueToTree(s.throttles()));
        node.set("ColdStarts", Json.MAPPER.valueToTree(s.coldStarts()));
        node.set("DurationP50Ms", floats(s.p50Millis()));
        node.set("DurationP99Ms", floats(s.p99Millis()));
        return node;
    }

    /** Invocations and errors of each of the caller's functions that has a series (the sparklines). */
    static ObjectNode overview(UsageMeter usage, Caller caller, int minutes) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        ObjectNode functions = node.putObject("Functions");
        int[] times = null;
        for (FunctionKey key : usage.functionsWithSeries()) {
            if (!key.account().equals(caller.account()) || !key.region().equals(caller.region())) {
                continue;
            }
            UsageMeter.Series s = usage.series(key, minutes);
            times = s.minutes();
            ObjectNode f = functions.putObject(key.name());
            f.set("Invocations", Json.MAPPER.valueToTree(s.invocations()));
            f.set("Errors", Json.MAPPER.valueToTree(s.errors()));
        }
        if (times != null) {
            node.set("Minutes", epochSeconds(times));
        }
        return node;
    }

    private void figures(ObjectNode row, UsageRow r) {
        row.put("Requests", r.requests());
        row.put("Errors", r.errors());
        row.put("Throttles", r.throttles());
        row.put("ColdStarts", r.coldStarts());
        row.put("BilledDurationMs", r.billedMs());
        row.put("InitBilledDurationMs", r.initBilledMs());
        row.put("BilledMbMs", r.billedMbMs());
        row.put("GBSeconds", Billing.gbSeconds(r.billedMbMs()));
        row.put("ProvisionedRequests", r.provisionedRequests());
        row.put("ProvisionedDurationGBSeconds", Billing.gbSeconds(r.provisionedBilledMbMs()));
        row.put("ProvisionedConcurrencyGBSeconds", Billing.gbSeconds(r.provisionedMbMs()));
        row.put("EphemeralStorageGBSeconds", Billing.gbSeconds(r.ephemeralMbMs()));
        Billing.Cost cost = Billing.cost(r, prices);
        ObjectNode c = row.putObject("EstimatedCost");
        c.put("Requests", cost.requests());
        c.put("Duration", cost.duration());
        c.put("ProvisionedDuration", cost.provisionedDuration());
        c.put("ProvisionedConcurrency", cost.provisioned());
        c.put("EphemeralStorage", cost.ephemeral());
        c.put("Total", cost.total());
    }

    private static List<String> key(UsageRow r, Set<String> by) {
        boolean fn = by.contains("function") || by.contains("version");
        List<String> key = new ArrayList<>(4);
        key.add(fn ? r.function() : "");
        key.add(by.contains("version") ? r.version() : "");
        Instant hour = Instant.ofEpochSecond(r.hour());
        key.add(by.contains("day") ? LocalDate.ofInstant(hour, ZoneOffset.UTC).toString() : "");
        key.add(by.contains("hour") ? hour.toString() : "");
        return key;
    }

    private static UsageRow empty(Caller caller) {
        return new UsageRow(caller.account(), caller.region(), "", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static Set<String> dimensions(String text) {
        Set<String> by = new LinkedHashSet<>();
        for (String d : text.split(",", -1)) {
            String dim = d.strip().toLowerCase(Locale.ROOT);
            LambdaException.requireValid(
                    DIMENSIONS.contains(dim), "by must be a comma-separated list of function, version, day, hour");
            by.add(dim);
        }
        return by;
    }

    /** An ISO instant, a date (its start, UTC), or an age before {@code now} ({@code 90m}, {@code 24h}, {@code 7d}). */
    static Instant time(String text, Instant now, String name) {
        Matcher age = AGE.matcher(text);
        if (age.matches()) {
            long n = Long.parseLong(age.group(1));
            Duration d = switch (age.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw LambdaException.invalid(
                    "%s must be an ISO instant (2026-01-31T12:00:00Z), a date (2026-01-31) or an age (90m, 24h, 7d)",
                    name);
        }
    }

    private static int minutes(String text) {
        try {
            int m = Integer.parseInt(text);
            LambdaException.requireValid(m >= 1 && m <= MAX_MINUTES, "minutes must be 1..%d", MAX_MINUTES);
            return m;
        } catch (NumberFormatException e) {
            throw LambdaException.invalid("minutes must be an integer");
        }
    }

    private static ArrayNode epochSeconds(int[] minutes) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int m : minutes) {
            a.add(m * 60L);
        }
        return a;
    }

    private static ArrayNode floats(float[] values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (float v : values) {
            if (Float.isNaN(v)) {
                a.addNull();
            } else {
                a.add(Math.round(v * 100) / 100.0);
            }
        }
        return a;
    }
}
