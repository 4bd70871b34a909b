package dev.spur.sns;

import java.util.Objects;

/**
 * A message attribute as Publish takes it: {@code dataType} {@code String}, {@code String.Array},
 * {@code Number} or {@code Binary} (each optionally with a custom {@code .label}), and its value —
 * text, or base64 for a binary one.
 */
public record MessageAttribute(String dataType, String value) {
    public MessageAttribute {
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(value, "value");
    }

    public static MessageAttribute string(String value) {
        return new MessageAttribute("String", value);
    }

    /** The base type: {@code String}, {@code String.Array}, {@code Number} or {@code Binary}. */
    String baseType() {
        if (dataType.startsWith("String.Array")) {
            return "String.Array";
        }
        int dot = dataType.indexOf('.');
        return dot < 0 ? dataType : dataType.substring(0, dot);
    }

    boolean binary() {
        return baseType().equals("Binary");
    }
}
