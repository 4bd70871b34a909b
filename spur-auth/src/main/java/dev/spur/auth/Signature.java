package dev.spur.auth;

import dev.spur.auth.SigV4Verifier.RequestDate;

/**
 * The SigV4 fields of a request, read from the {@code Authorization} header or from a presigned
 * URL's {@code X-Amz-*} query parameters. Parsing checks presence and shape only; nothing here
 * knows keys or clocks.
 *
 * @param expiresSeconds {@code X-Amz-Expires} of a presigned URL, or -1 when absent
 */
record Signature(
        String credential,
        String signedHeaders,
        String signature,
        RequestDate date,
        boolean presigned,
        long expiresSeconds) {
    private static final long MAX_EXPIRES_SECONDS = 604_800;

    static Signature parse(SignedRequest request) {
        String authorization = request.header("Authorization");
        String algorithm = request.rawQuery() == null ? null : queryParameter(request.rawQuery(), "X-Amz-Algorithm");
        if (authorization != null && algorithm != null) {
            throw AuthException.incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
                    + "or the Authorization header should be specified");
        }
        if (algorithm != null) {
            return fromQuery(request, algorithm);
        }
        if (authorization == null) {
            throw AuthException.missingToken();
        }
        return fromHeader(request, authorization);
    }

    private static Signature fromHeader(SignedRequest request, String authorization) {
        String algorithm = SigV4Verifier.ALGORITHM;
        if (!authorization.startsWith(algorithm)
                || authorization.length() > algorithm.length() && authorization.charAt(algorithm.length()) != ' ') {
            // The header's value is not echoed: it may be some other scheme's bearer secret.
            throw AuthException.incomplete("Unsupported Authorization type: only " + algorithm + " is accepted.");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        int start = algorithm.length();
        int n = authorization.length();
        while (start < n) {
            int comma = authorization.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            String part = authorization.substring(start, end).strip();
            int eq = part.indexOf('=');
            if (eq > 0) {
                String value = part.substring(eq + 1).strip();
                switch (part.substring(0, eq).strip()) {
                    case "Credential" -> credential = value;
                    case "SignedHeaders" -> signedHeaders = value;
                    case "Signature" -> signature = value;
                    default -> {}
                }
            }
            start = end + 1;
        }
        RequestDate date = headerDate(request);
        StringBuilder missing = new StringBuilder();
        if (isEmpty(credential)) {
            missing.append("Authorization header requires 'Credential' parameter. ");
        }
        if (isEmpty(signature)) {
            missing.append("Authorization header requires 'Signature' parameter. ");
        }
        if (isEmpty(signedHeaders)) {
            missing.append("Authorization header requires 'SignedHeaders' parameter. ");
        }
        if (date == null) {
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }
        if (!missing.isEmpty()) {
            throw AuthException.incomplete(missing.toString().strip());
        }
        requireHostSigned(signedHeaders);
        return new Signature(credential, signedHeaders, signature, date, false, -1);
    }

    private static Signature fromQuery(SignedRequest request, String algorithm) {
        if (!algorithm.equals(SigV4Verifier.ALGORITHM)) {
            throw AuthException.incomplete("X-Amz-Algorithm only supports '" + SigV4Verifier.ALGORITHM + "'");
        }
        String query = request.rawQuery();
        String credential = queryParameter(query, "X-Amz-Credential");
        String date = queryParameter(query, "X-Amz-Date");
        String signedHeaders = queryParameter(query, "X-Amz-SignedHeaders");
        String signature = queryParameter(query, "X-Amz-Signature");
        String expires = queryParameter(query, "X-Amz-Expires");
        if (isEmpty(credential) || isEmpty(date) || isEmpty(signedHeaders) || isEmpty(signature)) {
            throw AuthException.incomplete(
                    "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
                            + "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
        }
        requireHostSigned(signedHeaders);
        return new Signature(
                credential,
                signedHeaders,
                signature,
                new RequestDate(date, true),
                true,
                expires == null ? -1 : expiresSeconds(expires));
    }

    private static long expiresSeconds(String expires) {
        long seconds;
        try {
            seconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw AuthException.incomplete("X-Amz-Expires should be a number");
        }
        if (seconds < 0) {
            throw AuthException.incomplete("X-Amz-Expires must be non-negative");
        }
        if (seconds > MAX_EXPIRES_SECONDS) {
            throw AuthException.incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800");
        }
        return seconds;
    }

    private static RequestDate headerDate(SignedRequest request) {
        String amzDate = request.header("X-Amz-Date");
        if (amzDate != null) {
            return new RequestDate(amzDate.strip(), true);
        }
        String date = request.header("Date");
        return date == null ? null : new RequestDate(date.strip(), false);
    }

    private static void requireHostSigned(String signedHeaders) {
        int start = 0;
        while (start <= signedHeaders.length()) {
            int semicolon = signedHeaders.indexOf(';', start);
            int end = semicolon < 0 ? signedHeaders.length() : semicolon;
            if (end - start == 4 && signedHeaders.startsWith("host", start)) {
                return;
            }
            start = end + 1;
        }
        throw AuthException.incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    /** The percent-decoded value of the first query parameter named exactly {@code name}, or null. */
    static String queryParameter(String rawQuery, String name) {
        int start = 0;
        int n = rawQuery.length();
        while (start < n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            int nameEnd = start + name.length();
            if (nameEnd <= end && rawQuery.startsWith(name, start)) {
                if (nameEnd == end) {
                    return "";
                }
                if (rawQuery.charAt(nameEnd) == '=') {
                    return Canonical.decodeToString(rawQuery, nameEnd + 1, end);
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
