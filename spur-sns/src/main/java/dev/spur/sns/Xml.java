package dev.spur.sns;

/** A small writer of SNS's XML answers: elements in order, text escaped (CR kept as {@code &#xD;}). */
final class Xml {
    static final String NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

    private final StringBuilder out = new StringBuilder(256);

    Xml open(String tag) {
        out.append('<').append(tag).append('>');
        return this;
    }

    Xml close(String tag) {
        out.append("</").append(tag).append('>');
        return this;
    }

    /** {@code <tag>value</tag>}; nothing for a null value. */
    Xml text(String tag, String value) {
        if (value != null) {
            open(tag);
            escape(out, value);
            close(tag);
        }
        return this;
    }

    /** An operation's answer: {@code <OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>…}. */
    static String response(String operation, Xml result, String requestId) {
        StringBuilder s = new StringBuilder(result.out.length() + 200);
        s.append("<")
                .append(operation)
                .append("Response xmlns=\"")
                .append(NAMESPACE)
                .append("\">");
        if (result.out.length() > 0) {
            s.append('<')
                    .append(operation)
                    .append("Result>")
                    .append(result.out)
                    .append("</")
                    .append(operation)
                    .append("Result>");
        }
        s.append("<ResponseMetadata><RequestId>")
                .append(requestId)
                .append("</RequestId></ResponseMetadata></")
                .append(operation)
                .append("Response>");
        return s.toString();
    }

    static String error(SnsException e, String requestId) {
        StringBuilder s = new StringBuilder(300);
        s.append("<ErrorResponse xmlns=\"")
                .append(NAMESPACE)
                .append("\"><Error><Type>")
                .append(e.senderFault() ? "Sender" : "Receiver")
                .append("</Type><Code>")
                .append(e.code().wire())
                .append("</Code><Message>");
        escape(s, e.getMessage());
        s.append("</Message></Error><RequestId>").append(requestId).append("</RequestId></ErrorResponse>");
        return s.toString();
    }

    static void escape(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#xD;");
                default -> out.append(c);
            }
        }
    }
}
