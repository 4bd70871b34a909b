package dev.spur.edge;

import dev.spur.common.Caller;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-in sessions (only with {@code --auth sigv4}): a person types an access key pair once,
 * the server checks it and keeps, in memory, a session naming the key's account; the browser holds only
 * the session's id, in a cookie it cannot read from script ({@code HttpOnly}) and never sends with a
 * request another site started ({@code SameSite=Strict}). A state-changing request must also carry the
 * session's CSRF token in {@code X-Spur-Csrf}: a header no form can set and no other origin may send
 * without a CORS preflight Spur never grants.
 *
 * <p>Sessions live 8 hours from sign-in and end at sign-out or when the server stops (they are not
 * stored: a restart signs everyone out). At most {@link #MAX_SESSIONS}; expired ones are dropped when a
 * new one starts. Ids and tokens are 256 random bits from {@link SecureRandom}.
 */
final class Sessions {
    static final String COOKIE = "spur-console";
    static final String CSRF_HEADER = "X-Spur-Csrf";
    static final Duration LIFETIME = Duration.ofHours(8);
    static final int MAX_SESSIONS = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A signed-in person: the key's account, the region they chose, and the CSRF token of their page. */
    record Session(String id, Caller caller, String accessKeyId, String csrf, Instant expires) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final InstantSource clock;

    Sessions(InstantSource clock) {
        this.clock = clock;
    }

    Session start(Caller caller, String accessKeyId) {
        Instant now = clock.instant();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (it.next().expires().isBefore(now)) {
                it.remove();
            }
        }
        if (sessions.size() >= MAX_SESSIONS) {
            throw new IllegalStateException("too many console sessions; try again later");
        }
        Session s = new Session(token(), caller, accessKeyId, token(), now.plus(LIFETIME));
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session whose id the request's cookie carries. */
    Optional<Session> of(Exchange x) {
        Optional<String> id = cookie(x.header("Cookie").orElse(""), COOKIE);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Session s = sessions.get(id.get());
        if (s == null) {
            return Optional.empty();
        }
        if (s.expires().isBefore(clock.instant())) {
            sessions.remove(s.id());
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void end(Session s) {
        sessions.remove(s.id());
    }

    /** The {@code Set-Cookie} value that gives a browser this session's id. */
    static String setCookie(Session s) {
        return COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + LIFETIME.toSeconds();
    }

    /** The {@code Set-Cookie} value that makes a browser forget it. */
    static String clearCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    static Optional<String> cookie(String header, String name) {
        for (String part : header.split(";", -1)) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).equals(name)) {
                return Optional.of(p.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    /** Whether a method changes state (and so needs the CSRF token). */
    static boolean changesState(String method) {
        return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
