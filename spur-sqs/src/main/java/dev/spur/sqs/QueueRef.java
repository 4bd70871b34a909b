package dev.spur.sqs;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A queue by account and name, with its region: what its URL ({@code <endpoint>/<account>/<name>})
 * and ARN ({@code arn:aws:sqs:<region>:<account>:<name>}) are made of.
 */
public record QueueRef(String account, String name, String region) {
    private static final Pattern ARN =
            Pattern.compile("arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\\d{12}):([A-Za-z0-9_.-]{1,80})");

    public String arn() {
        return "arn:aws:sqs:" + region + ":" + account + ":" + name;
    }

    public String url(String endpoint) {
        return endpoint + "/" + account + "/" + name;
    }

    public boolean fifo() {
        return name.endsWith(".fifo");
    }

    /** The queue an ARN names, if it is an SQS queue ARN. */
    public static Optional<QueueRef> fromArn(String arn) {
        Matcher m = ARN.matcher(arn == null ? "" : arn);
        return m.matches() ? Optional.of(new QueueRef(m.group(2), m.group(3), m.group(1))) : Optional.empty();
    }

    String key() {
        return account + "/" + name;
    }
}
