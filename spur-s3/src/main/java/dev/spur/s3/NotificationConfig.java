package dev.spur.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.spur.common.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.w3c.dom.Element;

/**
 * A bucket's notification configuration ({@code PutBucketNotificationConfiguration}): targets, each a
 * function ({@code CloudFunctionConfiguration}, the wire name of {@code LambdaFunctionConfigurations}, and
 * the old API's element of the same name), a queue ({@code QueueConfiguration}) or — once Spur has
 * topics — a topic ({@code TopicConfiguration}, refused today), with its event types and its key's
 * prefix/suffix filter. Stored as JSON in the bucket's row; rendered back as S3's XML.
 *
 * <p>Overlap, as S3 refuses it: two targets that share an event type (a wildcard shares every type of
 * its family) and whose prefixes and suffixes could both match one key (one prefix starts the other,
 * one suffix ends the other; an empty filter matches everything).
 */
record NotificationConfig(List<Target> targets) {
    static final NotificationConfig EMPTY = new NotificationConfig(List.of());

    /** The kinds of destination, and their XML element and ARN member names. */
    enum Kind {
        LAMBDA("CloudFunctionConfiguration", "CloudFunction"),
        QUEUE("QueueConfiguration", "Queue"),
        TOPIC("TopicConfiguration", "Topic");

        final String element;
        final String arnElement;

        Kind(String element, String arnElement) {
            this.element = element;
            this.arnElement = arnElement;
        }
    }

    record Target(String id, Kind kind, String arn, List<String> events, String prefix, String suffix) {
        /** Whether an event of this name ({@code ObjectCreated:Put}) on this key goes to this target. */
        boolean matches(String eventName, String key) {
            if (!key.startsWith(prefix) || !key.endsWith(suffix)) {
                return false;
            }
            String full = "s3:" + eventName;
            String family = full.substring(0, full.lastIndexOf(':') + 1) + "*";
            return events.contains(full) || events.contains(family);
        }

        boolean overlaps(Target other) {
            boolean sharedEvent =
                    events.stream().anyMatch(a -> other.events.stream().anyMatch(b -> eventsShare(a, b)));
            boolean prefixes = prefix.startsWith(other.prefix) || other.prefix.startsWith(prefix);
            boolean suffixes = suffix.endsWith(other.suffix) || other.suffix.endsWith(suffix);
            return sharedEvent && prefixes && suffixes;
        }
    }

    /** The event types S3 accepts in a configuration; Spur sends the ObjectCreated and ObjectRemoved ones. */
    private static final Set<String> EVENTS = Set.of(
            "s3:ObjectCreated:*",
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Post",
            "s3:ObjectCreated:Copy",
            "s3:ObjectCreated:CompleteMultipartUpload",
            "s3:ObjectRemoved:*",
            "s3:ObjectRemoved:Delete",
            "s3:ObjectRemoved:DeleteMarkerCreated",
            "s3:ObjectRestore:*",
            "s3:ObjectRestore:Post",
            "s3:ObjectRestore:Completed",
            "s3:ObjectRestore:Delete",
            "s3:ReducedRedundancyLostObject",
            "s3:ObjectTagging:*",
            "s3:ObjectTagging:Put",
            "s3:ObjectTagging:Delete",
            "s3:ObjectAcl:Put",
            "s3:LifecycleExpiration:*",
            "s3:LifecycleExpiration:Delete",
            "s3:LifecycleExpiration:DeleteMarkerCreated",
            "s3:LifecycleTransition",
            "s3:IntelligentTiering");

    private static boolean eventsShare(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        String familyA = a.endsWith(":*") ? a.substring(0, a.length() - 1) : null;
        String familyB = b.endsWith(":*") ? b.substring(0, b.length() - 1) : null;
        return familyA != null && b.startsWith(familyA) || familyB != null && a.startsWith(familyB);
    }

    /**
     * Parses a {@code <NotificationConfiguration>} document: ids drawn for targets without one, events and
     * filter rules validated, overlaps refused. Destinations are checked by the caller.
     */
    static NotificationConfig parse(byte[] body) {
        if (body.length == 0) {
            throw S3Exception.malformedXml();
        }
        Element root = Xml.parse(body);
        if (!"NotificationConfiguration".equals(Xml.localName(root))) {
            throw S3Exception.malformedXml();
        }
        List<Target> targets = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (Element e : Xml.children(root, kind.element)) {
                targets.add(target(kind, e));
            }
        }
        if (!Xml.children(root, "EventBridgeConfiguration").isEmpty()) {
            throw S3Exception.invalidArgument(
                    "EventBridge notifications are not supported by Spur's S3.", "EventBridgeConfiguration", "");
        }
        for (int i = 0; i < targets.size(); i++) {
            for (int j = i + 1; j < targets.size(); j++) {
                if (targets.get(i).overlaps(targets.get(j))) {
                    throw S3Exception.invalidArgument(
                            "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                            "Event",
                            String.join(",", targets.get(i).events()));
                }
            }
        }
        return new NotificationConfig(List.copyOf(targets));
    }

    private static Target target(Kind kind, Element e) {
        String id = Xml.text(e, "Id");
        String arn = Xml.text(e, kind.arnElement);
        if (arn == null || arn.isBlank()) {
            throw S3Exception.malformedXml();
        }
        List<String> events = new ArrayList<>();
        for (Element event : Xml.children(e, "Event")) {
            String name = event.getTextContent().trim();
            if (!EVENTS.contains(name)) {
                throw S3Exception.invalidArgument("The event is not supported for notifications", arn, name);
            }
            events.add(name);
        }
        if (events.isEmpty()) {
            throw S3Exception.malformedXml();
        }
        String prefix = "";
        String suffix = "";
        for (Element filter : Xml.children(e, "Filter")) {
            for (Element key : Xml.children(filter, "S3Key")) {
                for (Element rule : Xml.children(key, "FilterRule")) {
                    String name = String.valueOf(Xml.text(rule, "Name"));
                    String value = String.valueOf(Xml.text(rule, "Value"));
                    switch (name.toLowerCase(Locale.ROOT)) {
                        case "prefix" -> prefix = value;
                        case "suffix" -> suffix = value;
                        default ->
                            throw S3Exception.invalidArgument(
                                    "filter rule name must be either prefix or suffix", "FilterRule", name);
                    }
                }
            }
        }
        return new Target(
                id == null || id.isBlank() ? UUID.randomUUID().toString() : id,
                kind,
                arn.trim(),
                List.copyOf(events),
                prefix,
                suffix);
    }

    /** The configuration as S3 returns it. */
    byte[] xml() {
        Xml xml = Xml.document("NotificationConfiguration");
        for (Kind kind : Kind.values()) {
            for (Target t : targets) {
                if (t.kind() != kind) {
                    continue;
                }
                xml.open(kind.element).element("Id", t.id()).element(kind.arnElement, t.arn());
                for (String event : t.events()) {
                    xml.element("Event", event);
                }
                if (!t.prefix().isEmpty() || !t.suffix().isEmpty()) {
                    xml.open("Filter").open("S3Key");
                    if (!t.prefix().isEmpty()) {
                        xml.open("FilterRule")
                                .element("Name", "Prefix")
                                .element("Value", t.prefix())
                                .close("FilterRule");
                    }
                    if (!t.suffix().isEmpty()) {
                        xml.open("FilterRule")
                                .element("Name", "Suffix")
                                .element("Value", t.suffix())
                                .close("FilterRule");
                    }
                    xml.close("S3Key").close("Filter");
                }
                xml.close(kind.element);
            }
        }
        return xml.end("NotificationConfiguration");
    }

    String json() {
        try {
            return Json.MAPPER.writeValueAsString(targets);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static NotificationConfig fromJson(String json) {
        if (json == null || json.isBlank() || json.equals("{}")) {
            return EMPTY;
        }
        try {
            return new NotificationConfig(Json.MAPPER.readValue(json, new TypeReference<List<Target>>() {}));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a bucket's stored notification configuration is not readable", e);
        }
    }
}
