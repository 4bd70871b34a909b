package dev.spur.testing.server;

import dev.spur.pools.PoolSettings;
import dev.spur.server.SpurServer;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a real Spur ({@link SpurServer}) on an ephemeral port with a fresh
 * data directory. The server comes as a {@link Spur}: injected into every field of that type
 * (static ones before {@code @BeforeAll}) and into parameters of type {@link Spur}, {@link SpurServer}
 * or the AWS SDK's {@code LambdaClient} (constructors, {@code @BeforeAll}, {@code @Test} …).
 *
 * <p>Test classes asking for the same options share one server, started when the first of them
 * begins and closed when the whole run ends: the functions, APIs and schedules one class creates stay
 * for the next, so tests name what they create uniquely ({@link Spur#uniqueName}) and judge what is
 * theirs. A class that changes what others would see — the account's concurrency, a restart, a kill —
 * asks for a server of its own with {@link #shared() shared = false}; that one is closed when the class
 * ends.
 *
 * <p>On a parameter of type {@link Spur}, {@code @SpurTest} asks for a server with other options than
 * the class's (an open server in a class about {@code --auth sigv4}, say); with {@code shared = false}
 * that server is the method's own, closed when the method ends.
 */
@Target({ElementType.TYPE, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SpurExtension.class)
public @interface SpurTest {
    /** How the server runs functions. */
    enum Sandbox {
        /**
         * Plain processes, unless the run asks for the linux sandbox with {@code -Dspur.test.sandbox=linux}
         * (spur-e2e's pom runs the runtime suites again so): the same suites, in both sandboxes.
         */
        DEFAULT,
        /** Plain processes, always (also when the run asks for the linux sandbox). */
        PROCESS,
        /** The linux sandbox, the server's default; skipped locally where it cannot run, failed under CI. */
        LINUX
    }

    Sandbox sandbox() default Sandbox.DEFAULT;

    /**
     * The linux sandbox's parent cgroup, with this JVM's pid appended so that no other JVM's server
     * shares it (a server's start removes what a crashed server left under its parent). Removed, if
     * empty, when the server closes.
     */
    String cgroup() default "spur-test";

    SpurServer.Auth auth() default SpurServer.Auth.NONE;

    /** How long an idle environment stays warm (ISO-8601, {@code PT2S}); empty: Lambda's 10 minutes. */
    String keepAlive() default "";

    /** Concurrent invocations allowed to the account. */
    int accountConcurrency() default PoolSettings.DEFAULT_ACCOUNT_CONCURRENCY;

    /** The node's memory capacity in MB ({@code --memory-capacity}); 0: the default, 75 % of RAM. */
    long memoryCapacityMb() default 0;

    /** How far limits may add up past the capacity ({@code --memory-overcommit}). */
    double memoryOvercommit() default PoolSettings.DEFAULT_MEMORY_OVERCOMMIT;

    /**
     * The first retry delay of asynchronous invokes, doubled for the second, also the first throttle
     * backoff (ISO-8601); Lambda's are a minute and two.
     */
    String asyncRetryDelay() default "PT0.2S";

    /** {@code false}: a fresh server for this class alone, closed when the class ends. */
    boolean shared() default true;
}
