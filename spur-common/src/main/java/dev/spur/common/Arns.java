package dev.spur.common;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's ARN formats and the forms a caller may name a function by: its name, a partial ARN
 * ({@code 123456789012:function:name}) or a full ARN, each optionally with {@code :qualifier}.
 */
public final class Arns {
    public static final String LATEST = "$LATEST";

    private static final Pattern FUNCTION_REF =
            Pattern.compile("^(?:arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\\d{1}):)?"
                    + "(?:(?<account>\\d{12}):)?(?:function:)?"
                    + "(?<name>[a-zA-Z0-9-_.]+)(?::(?<qualifier>\\$LATEST|[a-zA-Z0-9-_]+))?$");
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9-_]{1,64}$");

    private Arns() {}

    public static String function(FunctionKey key) {
        return "arn:aws:lambda:" + key.region() + ":" + key.account() + ":function:" + key.name();
    }

    /** Whether {@code name} is a plain function name Lambda accepts on create (1–64 of {@code [a-zA-Z0-9-_]}). */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Parses a {@code FunctionName} path parameter in any of its forms.
     *
     * @param account the caller's account; an ARN naming another account does not match it
     * @param region the caller's region; an ARN naming another region does not match it
     * @throws LambdaException 400 if the text is not a function name or ARN
     */
    public static FunctionRef parseFunctionRef(String text, String account, String region) {
        if (text == null || text.isEmpty() || text.length() > 170) {
            throw LambdaException.invalid(
                    "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                            + "constraint: Member must have length between 1 and 140",
                    text == null ? "" : text);
        }
        if (NAME.matcher(text).matches()) {
            return new FunctionRef(new FunctionKey(account, region, text), Optional.empty()); // the common case
        }
        Matcher m = FUNCTION_REF.matcher(text);
        if (!m.matches()) {
            throw LambdaException.invalid(
                    "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                            + "constraint: Member must satisfy regular expression pattern: "
                            + "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                            + "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                    text);
        }
        String arnRegion = m.group("region");
        String arnAccount = m.group("account");
        String name = m.group("name");
        if (name.length() > 64) {
            throw LambdaException.invalid("Function name '%s' is longer than 64 characters", name);
        }
        return new FunctionRef(
                new FunctionKey(
                        arnAccount != null ? arnAccount : account, arnRegion != null ? arnRegion : region, name),
                Optional.ofNullable(m.group("qualifier")));
    }

    /** A function named by a caller, with the qualifier it gave in the name, if any. */
    public record FunctionRef(FunctionKey key, Optional<String> qualifier) {}
}
