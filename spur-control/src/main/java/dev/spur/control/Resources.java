package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.CorsConfig;
import dev.spur.common.FunctionUrlConfig;
import dev.spur.common.LambdaException;
import dev.spur.control.FunctionRegistry.Entry;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Function URL configurations and tags: settings stored with a function that change no code. */
final class Resources {
    static final int MAX_TAGS = 50;
    private static final Set<String> METHODS = Set.of("*", "GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS");
    private static final char[] URL_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ControlPlane control;

    Resources(ControlPlane control) {
        this.control = control;
    }

    ControlResult putUrl(FunctionCommand.PutFunctionUrl c) {
        c.authType().ifPresent(Resources::validateAuthType);
        c.invokeMode().ifPresent(Resources::validateInvokeMode);
        c.cors().flatMap(x -> x).ifPresent(Resources::validateCors);
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = urlQualifier(entry, ControlPlane.qualifier(ref, c.qualifier()));
            FunctionUrlConfig current = entry.attachments().urls().get(qualifier);
            Instant now = control.clock().instant();
            FunctionUrlConfig config;
            if (c.create()) {
                if (current != null) {
                    throw LambdaException.conflict(
                            "Failed to create function url config for [functionArn = %s]. "
                                    + "Error message:  FunctionUrlConfig exists for this Lambda function",
                            arn(entry, qualifier));
                }
                String authType = c.authType()
                        .orElseThrow(
                                () -> LambdaException.invalid(
                                        "1 validation error "
                                                + "detected: Value null at 'authType' failed to satisfy constraint: Member must not be null"));
                config = new FunctionUrlConfig(
                        newUrlId(),
                        qualifier,
                        authType,
                        c.invokeMode().orElse("BUFFERED"),
                        c.cors().flatMap(x -> x).orElse(null),
                        now,
                        now);
            } else {
                if (current == null) {
                    throw LambdaException.notFound("The resource you requested does not exist.");
                }
                config = new FunctionUrlConfig(
                        current.urlId(),
                        qualifier,
                        c.authType().orElse(current.authType()),
                        c.invokeMode().orElse(current.invokeMode()),
                        c.cors().isPresent() ? c.cors().get().orElse(null) : current.cors(),
                        current.creationTime(),
                        now);
            }
            FunctionUrlConfig saved = config;
            control.saveAttachments(entry, entry.attachments().withUrls(u -> {
                u.put(qualifier, saved);
                return u;
            }));
            return new ControlResult.Url(entry.key(), saved, c.create());
        });
    }

    ControlResult getUrl(FunctionCommand.GetFunctionUrl c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = ControlPlane.qualifier(ref, c.qualifier()).orElse("");
            FunctionUrlConfig config = entry.attachments().urls().get(qualifier);
            if (config == null) {
                throw LambdaException.notFound("The resource you requested does not exist.");
            }
            return new ControlResult.Url(entry.key(), config, false);
        });
    }

    ControlResult deleteUrl(FunctionCommand.DeleteFunctionUrl c) {
        return control.locked(c.caller(), c.functionName(), (ref, entry) -> {
            String qualifier = ControlPlane.qualifier(ref, c.qualifier()).orElse("");
            if (!entry.attachments().urls().containsKey(qualifier)) {
                throw LambdaException.notFound("The resource you requested does not exist.");
            }
            control.saveAttachments(entry, entry.attachments().withUrls(u -> {
                u.remove(qualifier);
                return u;
            }));
            return new ControlResult.Deleted();
        });
    }

    ControlResult listUrls(FunctionCommand.ListFunctionUrls c) {
        return control.read(c.caller(), c.functionName(), (ref, entry) -> {
            List<FunctionUrlConfig> urls =
                    new ArrayList<>(entry.attachments().urls().values());
            Paging.Page<FunctionUrlConfig> page = Paging.page(urls, FunctionUrlConfig::urlId, c.marker(), c.maxItems());
            return new ControlResult.UrlList(entry.key(), page.items(), page.nextMarker());
        });
    }

    ControlResult tag(FunctionCommand.TagResource c) {
        validateTags(c.tags());
        return control.locked(c.caller(), resource(c.resource()), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            Map<String, String> tags = new TreeMap<>(entry.attachments().tags());
            tags.putAll(c.tags());
            LambdaException.requireValid(
                    tags.size() <= MAX_TAGS, "The number of tags on a function cannot exceed " + "%d.", MAX_TAGS);
            control.saveAttachments(entry, entry.attachments().withTags(tags));
            return new ControlResult.Deleted();
        });
    }

    ControlResult untag(FunctionCommand.UntagResource c) {
        LambdaException.requireValid(
                !c.tagKeys().isEmpty(),
                "1 validation error detected: Value null at 'tagKeys' "
                        + "failed to satisfy constraint: Member must not be null");
        return control.locked(c.caller(), resource(c.resource()), (ref, entry) -> {
            ControlPlane.requireUnqualified(ref);
            Map<String, String> tags = new TreeMap<>(entry.attachments().tags());
            c.tagKeys().forEach(tags::remove);
            control.saveAttachments(entry, entry.attachments().withTags(tags));
            return new ControlResult.Deleted();
        });
    }

    ControlResult listTags(FunctionCommand.ListTags c) {
        return control.read(
                c.caller(),
                resource(c.resource()),
                (ref, entry) -> new ControlResult.Tags(entry.attachments().tags()));
    }

    static void validateTags(Map<String, String> tags) {
        LambdaException.requireValid(
                tags.size() <= MAX_TAGS, "The number of tags on a function cannot exceed %d.", MAX_TAGS);
        tags.forEach((k, v) -> {
            LambdaException.requireValid(
                    k != null && !k.isEmpty() && k.length() <= 128,
                    "Tag keys must be 1 to 128 " + "characters long: '%s'",
                    k);
            LambdaException.requireValid(
                    !k.toLowerCase(Locale.ROOT).startsWith("aws:"),
                    "Tag keys " + "starting with 'aws:' are reserved: '%s'",
                    k);
            LambdaException.requireValid(
                    v != null && v.length() <= 256, "Tag values must be at most 256 characters " + "long: key '%s'", k);
        });
    }

    /** Tag operations name the function by its ARN, as Lambda requires. */
    private static String resource(String arn) {
        LambdaException.requireValid(
                arn != null && arn.startsWith("arn:") && arn.contains(":function:"),
                "1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-"
                        + "[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                arn);
        return arn;
    }

    /** A function URL is on the function itself (no qualifier) or on one of its aliases. */
    private static String urlQualifier(Entry entry, Optional<String> qualifier) {
        if (qualifier.isEmpty()) {
            return "";
        }
        String q = qualifier.get();
        LambdaException.requireValid(
                !q.equals(Arns.LATEST) && !q.chars().allMatch(Character::isDigit),
                "1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
                q);
        Publishing.requireAlias(entry, q);
        return q;
    }

    private static String arn(Entry entry, String qualifier) {
        return qualifier.isEmpty() ? entry.key().arn() : entry.key().qualifiedArn(qualifier);
    }

    private static void validateAuthType(String authType) {
        LambdaException.requireValid(
                authType.equals(FunctionUrlConfig.AUTH_NONE) || authType.equals(FunctionUrlConfig.AUTH_IAM),
                "1 validation error detected: Value '%s' at "
                        + "'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
                authType);
    }

    private static void validateInvokeMode(String mode) {
        LambdaException.requireValid(
                mode.equals("BUFFERED") || mode.equals("RESPONSE_STREAM"),
                "1 validation error "
                        + "detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value "
                        + "set: [BUFFERED, RESPONSE_STREAM]",
                mode);
    }

    private static void validateCors(CorsConfig cors) {
        LambdaException.requireValid(
                cors.maxAge() >= 0 && cors.maxAge() <= 86_400,
                "1 validation error detected: "
                        + "Value '%d' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal "
                        + "to 86400",
                cors.maxAge());
        LambdaException.requireValid(cors.allowMethods().size() <= 6, "AllowMethods can have at most 6 items.");
        for (String method : cors.allowMethods()) {
            LambdaException.requireValid(
                    METHODS.contains(method),
                    "1 validation error detected: Value '%s' at "
                            + "'cors.allowMethods' failed to satisfy constraint: Member must satisfy regular expression "
                            + "pattern: .*",
                    method);
        }
        LambdaException.requireValid(cors.allowOrigins().size() <= 100, "AllowOrigins can have at most 100 items.");
        LambdaException.requireValid(cors.allowHeaders().size() <= 100, "AllowHeaders can have at most 100 items.");
        LambdaException.requireValid(cors.exposeHeaders().size() <= 100, "ExposeHeaders can have at most 100 items.");
    }

    private static String newUrlId() {
        char[] id = new char[32];
        for (int i = 0; i < id.length; i++) {
            id[i] = URL_ID_ALPHABET[RANDOM.nextInt(URL_ID_ALPHABET.length)];
        }
        return new String(id);
    }
}
