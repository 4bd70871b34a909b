package dev.spur.sns;

import dev.spur.sns.Records.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SNS's API as a service with no HTTP server in it (as spur-sqs's): the query protocol — form-encoded
 * {@code Action=…} in, SNS's XML out, errors as {@code <ErrorResponse>} with SNS's codes. The AWS CLI v2
 * and the AWS SDK for Java v2 (2.51) both speak it to SNS. Each operation parses its parameters
 * ({@link QueryParams}, no state touched) and calls {@link Topics}.
 */
public final class SnsService {
    private static final System.Logger LOG = System.getLogger(SnsService.class.getName());
    private static final String XML = "text/xml";
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");

    private final Topics topics;

    private SnsService(Topics topics) {
        this.topics = topics;
    }

    public static SnsService create(Topics topics) {
        return new SnsService(topics);
    }

    /** One request as the edge read it: the caller's account and region, the raw query and the form body. */
    public record Request(String account, String region, String query, byte[] body) {
        public Request {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(region, "region");
            body = body == null ? new byte[0] : body;
        }
    }

    public record Response(int status, String contentType, byte[] body) {}

    /** Serves one request. Failure semantics: as the operation's; an error answer means nothing was changed. */
    public Response handle(Request request, String requestId) {
        try {
            QueryParams params = QueryParams.parse(request.query(), request.body());
            String action = params.get("Action")
                    .orElseThrow(() -> SnsException.of(SnsException.Code.INVALID_ACTION, "Missing Action"));
            Xml result = run(action, params, request);
            return new Response(200, XML, bytes(Xml.response(action, result, requestId)));
        } catch (SnsException e) {
            return error(e, requestId);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "SNS request " + requestId + " failed", e);
            return error(SnsException.of(SnsException.Code.INTERNAL, "Internal error"), requestId);
        }
    }

    public Response error(SnsException e, String requestId) {
        return new Response(e.code().status(), XML, bytes(Xml.error(e, requestId)));
    }

    private Xml run(String action, QueryParams p, Request r) {
        String account = r.account();
        Xml x = new Xml();
        switch (action) {
            case "CreateTopic" ->
                x.text(
                        "TopicArn",
                        topics.createTopic(
                                account, r.region(), p.require("Name"), p.map("Attributes", "key", "value"), p.tags()));
            case "DeleteTopic" -> topics.deleteTopic(account, p.require("TopicArn"));
            case "ListTopics" -> {
                List<String> arns = topics.listTopics(account, p.get("NextToken"));
                x.open("Topics");
                for (String arn : arns.subList(0, Math.min(arns.size(), Topics.PAGE))) {
                    x.open("member").text("TopicArn", arn).close("member");
                }
                x.close("Topics");
                if (arns.size() > Topics.PAGE) {
                    x.text("NextToken", arns.get(Topics.PAGE - 1));
                }
            }
            case "GetTopicAttributes" -> attributes(x, topics.topicAttributes(account, p.require("TopicArn")));
            case "SetTopicAttributes" ->
                topics.setTopicAttribute(
                        account,
                        p.require("TopicArn"),
                        p.require("AttributeName"),
                        p.get("AttributeValue").orElse(""));
            case "Subscribe" ->
                x.text(
                        "SubscriptionArn",
                        topics.subscribe(
                                account,
                                p.require("TopicArn"),
                                p.require("Protocol"),
                                p.get("Endpoint").orElseThrow(() -> SnsException.invalid("Endpoint")),
                                p.map("Attributes", "key", "value")));
            case "Unsubscribe" -> topics.unsubscribe(account, p.require("SubscriptionArn"));
            case "ListSubscriptions" -> subscriptions(x, topics.subscriptions(account, null), p.get("NextToken"));
            case "ListSubscriptionsByTopic" -> {
                String topicArn = p.require("TopicArn");
                topics.topic(account, topicArn);
                subscriptions(x, topics.subscriptions(account, topicArn), p.get("NextToken"));
            }
            case "GetSubscriptionAttributes" ->
                attributes(x, topics.subscriptionAttributes(account, p.require("SubscriptionArn")));
            case "SetSubscriptionAttributes" ->
                topics.setSubscriptionAttribute(
                        account,
                        p.require("SubscriptionArn"),
                        p.require("AttributeName"),
                        p.get("AttributeValue").orElse(""));
            case "Publish" -> {
                String topicArn = p.get("TopicArn")
                        .or(() -> p.get("TargetArn"))
                        .orElseThrow(() ->
                                SnsException.invalid("TopicArn or TargetArn Reason: no value for required parameter"));
                Topics.Published published = topics.publish(account, topicArn, publication(p));
                x.text("MessageId", published.messageId());
                published.sequenceNumber().ifPresent(s -> x.text("SequenceNumber", s));
            }
            case "PublishBatch" -> publishBatch(x, account, p);
            default ->
                throw SnsException.of(SnsException.Code.INVALID_ACTION, "Unknown or unsupported Action: %s", action);
        }
        return x;
    }

    private static void attributes(Xml x, Map<String, String> attributes) {
        x.open("Attributes");
        attributes.forEach(
                (k, v) -> x.open("entry").text("key", k).text("value", v).close("entry"));
        x.close("Attributes");
    }

    private static void subscriptions(Xml x, List<Subscription> all, Optional<String> after) {
        List<Subscription> page = new ArrayList<>();
        for (Subscription s : all) {
            if (after.isEmpty() || s.arn().compareTo(after.get()) > 0) {
                page.add(s);
            }
        }
        x.open("Subscriptions");
        for (Subscription s : page.subList(0, Math.min(page.size(), Topics.PAGE))) {
            x.open("member")
                    .text("SubscriptionArn", s.arn())
                    .text("Owner", s.account())
                    .text("Protocol", s.protocol())
                    .text("Endpoint", s.endpoint())
                    .text("TopicArn", s.topicArn())
                    .close("member");
        }
        x.close("Subscriptions");
        if (page.size() > Topics.PAGE) {
            x.text("NextToken", page.get(Topics.PAGE - 1).arn());
        }
    }

    private static Publication publication(QueryParams p) {
        String message = p.get("Message").orElseThrow(() -> SnsException.invalid("Empty message"));
        String structure = p.get("MessageStructure").orElse(null);
        if (structure != null && !structure.equals("json")) {
            throw SnsException.invalid("MessageStructure");
        }
        Map<String, MessageAttribute> attributes = new LinkedHashMap<>();
        for (QueryParams entry : p.list("MessageAttributes.entry")) {
            String name = entry.get("Name").orElseThrow(() -> SnsException.invalid("MessageAttributes Name"));
            String type = entry.get("Value.DataType")
                    .orElseThrow(() -> SnsException.of(
                            SnsException.Code.INVALID_PARAMETER_VALUE,
                            "The message attribute '%s' must contain non-empty message attribute type.",
                            name));
            String value = entry.get("Value.StringValue")
                    .or(() -> entry.get("Value.BinaryValue"))
                    .orElse("");
            attributes.put(name, new MessageAttribute(type, value));
        }
        return new Publication(
                message,
                p.get("Subject"),
                attributes,
                structure != null,
                p.get("MessageGroupId"),
                p.get("MessageDeduplicationId"));
    }

    private void publishBatch(Xml x, String account, QueryParams p) {
        String topicArn = p.require("TopicArn");
        List<QueryParams> entries = p.list("PublishBatchRequestEntries.member");
        if (entries.isEmpty()) {
            throw SnsException.of(SnsException.Code.EMPTY_BATCH, "The batch request doesn't contain any entries");
        }
        if (entries.size() > 10) {
            throw SnsException.of(
                    SnsException.Code.TOO_MANY_ENTRIES, "The batch request contains more entries than permissible.");
        }
        Set<String> ids = new HashSet<>();
        List<String> entryIds = new ArrayList<>();
        int size = 0;
        for (QueryParams e : entries) {
            String id = e.get("Id").orElse("");
            if (!BATCH_ID.matcher(id).matches()) {
                throw SnsException.of(
                        SnsException.Code.INVALID_BATCH_ID,
                        "The Id of a batch entry in a batch request doesn't abide " + "by the specification.");
            }
            if (!ids.add(id)) {
                throw SnsException.of(
                        SnsException.Code.DISTINCT_IDS, "Two or more batch entries in the request have the same Id.");
            }
            entryIds.add(id);
            size += e.get("Message").orElse("").getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > Publisher.MAX_MESSAGE) {
            throw SnsException.of(
                    SnsException.Code.BATCH_TOO_LONG,
                    "The length of all the messages put together " + "is more than the limit.");
        }
        List<Object> outcomes = new ArrayList<>(entries.size());
        List<Publication> valid = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (QueryParams e : entries) {
            try {
                valid.add(publication(e));
                positions.add(outcomes.size());
                outcomes.add(null);
            } catch (SnsException error) {
                outcomes.add(error);
            }
        }
        List<Object> published = topics.publishBatch(account, topicArn, valid);
        for (int i = 0; i < published.size(); i++) {
            outcomes.set(positions.get(i), published.get(i));
        }
        x.open("Successful");
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Topics.Published ok) {
                x.open("member").text("Id", entryIds.get(i)).text("MessageId", ok.messageId());
                ok.sequenceNumber().ifPresent(s -> x.text("SequenceNumber", s));
                x.close("member");
            }
        }
        x.close("Successful").open("Failed");
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof SnsException failed) {
                x.open("member")
                        .text("Id", entryIds.get(i))
                        .text("Code", failed.code().wire())
                        .text("Message", failed.getMessage())
                        .text("SenderFault", Boolean.toString(failed.senderFault()))
                        .close("member");
            }
        }
        x.close("Failed");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
