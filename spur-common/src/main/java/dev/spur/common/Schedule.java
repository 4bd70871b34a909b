package dev.spur.common;

import java.time.Instant;
import java.util.Objects;

/**
 * A schedule that invokes a function asynchronously: on a {@code rate(…)}, {@code cron(…)} or
 * one-time {@code at(…)} expression (EventBridge syntax), evaluated in an IANA time zone.
 *
 * @param qualifier   "" to invoke the function unqualified
 * @param input       the payload as JSON text, or null for EventBridge's "Scheduled Event" document
 * @param skipMissed  fires missed while the server was down are skipped rather than run once
 * @param lastFire    the scheduled time of the last fire, null before the first
 */
public record Schedule(
        String account,
        String region,
        String name,
        String expression,
        String timezone,
        String functionName,
        String qualifier,
        String input,
        boolean enabled,
        boolean skipMissed,
        String description,
        Instant createdAt,
        Instant lastModified,
        Instant lastFire) {
    public Schedule {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expression, "expression");
        timezone = timezone == null || timezone.isEmpty() ? "UTC" : timezone;
        Objects.requireNonNull(functionName, "functionName");
        qualifier = qualifier == null ? "" : qualifier;
        description = description == null ? "" : description;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastModified, "lastModified");
    }

    /** The ARN EventBridge would give the rule: {@code arn:aws:events:<region>:<account>:rule/<name>}. */
    public String arn() {
        return "arn:aws:events:" + region + ":" + account + ":rule/" + name;
    }

    public Schedule withLastFire(Instant fire) {
        return new Schedule(
                account,
                region,
                name,
                expression,
                timezone,
                functionName,
                qualifier,
                input,
                enabled,
                skipMissed,
                description,
                createdAt,
                lastModified,
                fire);
    }
}
