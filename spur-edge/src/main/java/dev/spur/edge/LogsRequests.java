package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Caller;
import dev.spur.logs.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading CloudWatch Logs requests ({@link LogsApi}): typed members, the log group named by name or
 * ARN, tokens, limits; every malformed input is an {@code InvalidParameterException} (or a
 * {@code SerializationException} for a member of the wrong JSON type) in the words of AWS's
 * validation messages. Nothing here touches the logs.
 */
final class LogsRequests {
    private LogsRequests() {}

    /** {@code logGroupName}, or {@code logGroupIdentifier} (a name or an ARN in the caller's account). */
    static String groupName(Caller caller, JsonNode in) {
        String name = string(in, "logGroupName");
        String identifier = string(in, "logGroupIdentifier");
        if (name != null && identifier != null) {
            throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        }
        if (identifier != null && identifier.startsWith("arn:")) {
            String[] parts = identifier.split(":", 7);
            if (parts.length < 7 || !parts[5].equals("log-group") || !parts[4].equals(caller.account())) {
                throw invalid("The log group identifier " + identifier + " is not a log group ARN of this account.");
            }
            name = parts[6].endsWith(":*") ? parts[6].substring(0, parts[6].length() - 2) : parts[6];
        } else if (identifier != null) {
            name = identifier;
        }
        if (name == null) {
            throw invalid("Either the log group name or the log group identifier is required.");
        }
        if (!LogStore.validGroupName(name)) {
            throw invalid("1 validation error detected: Value '" + name + "' at 'logGroupName' failed to satisfy "
                    + "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
        }
        return name;
    }

    static long timestamp(JsonNode in, String field, long absent) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.canConvertToLong() || v.longValue() < 0) {
            throw invalid("1 validation error detected: Value '" + v.asText() + "' at '" + field
                    + "' failed to satisfy constraint: Member must have value greater than or equal to 0");
        }
        return v.longValue();
    }

    static int limit(JsonNode in, int max) {
        JsonNode v = in.get("limit");
        if (v == null || v.isNull()) {
            return max;
        }
        if (!v.canConvertToInt() || v.intValue() < 1 || v.intValue() > max) {
            throw invalid("1 validation error detected: Value '" + v.asText() + "' at 'limit' failed to satisfy "
                    + "constraint: Member must have value between 1 and " + max);
        }
        return v.intValue();
    }

    static int describeLimit(JsonNode in) {
        return limit(in, 50);
    }

    /** The position in a token with {@code prefix}, or 0 when there is none. */
    static long token(JsonNode in, String prefix) {
        String token = string(in, "nextToken");
        if (token == null) {
            return 0;
        }
        if (!token.startsWith(prefix)) {
            throw invalid("The specified nextToken is invalid.");
        }
        return position(token.substring(prefix.length()));
    }

    static long position(String digits) {
        try {
            long p = Long.parseLong(digits);
            if (p >= 0) {
                return p;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("The specified nextToken is invalid.");
    }

    static String string(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new LogsError(400, "SerializationException", "Expected a string for " + field + ".");
        }
        return v.textValue();
    }

    static boolean bool(JsonNode in, String field) {
        JsonNode v = in.get(field);
        return v != null && v.asBoolean(false);
    }

    static List<String> strings(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new LogsError(400, "SerializationException", "Expected a list for " + field + ".");
        }
        List<String> out = new ArrayList<>();
        v.forEach(n -> out.add(n.asText()));
        return out;
    }

    static LogsError invalid(String message) {
        return new LogsError(400, "InvalidParameterException", message);
    }

    static final class LogsError extends RuntimeException {
        static final long serialVersionUID = 1L;
        final int status;
        final String type;

        LogsError(int status, String type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }
    }
}
