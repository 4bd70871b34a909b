package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.RequestIds;
import dev.spur.common.Ticker;
import dev.spur.pools.InvocationOutcome.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Account limits and reserved concurrency, as Lambda admits invocations. */
class ConcurrencyBudgetTest {
    private static final String RESERVED = "ReservedFunctionConcurrentInvocationLimitExceeded";
    private static final String ACCOUNT = "ConcurrentInvocationLimitExceeded";

    @TempDir
    Path dir;

    private Pools pools;

    private Pools pools(int accountLimit) {
        pools = TestDeployments.pools(
                dir, PoolSettings.defaults().withAccountConcurrency(accountLimit), Ticker.system());
        return pools;
    }

    @AfterEach
    void close() {
        if (pools != null) {
            pools.close();
        }
    }

    private Deployment fn(String name) throws Exception {
        return TestDeployments.deployment(dir, name, 128, 3, Map.of());
    }

    private static void assertThrottled(Pools s, Deployment d, String reason) {
        assertThatThrownBy(() -> s.acquire(d)).isInstanceOfSatisfying(LambdaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
            assertThat(e.reason()).contains(reason);
        });
    }

    private static InvocationOutcome invoke(Lease lease) throws InterruptedException {
        return lease.invoke(
                new InvokeInput(RequestIds.next(), "{}".getBytes(StandardCharsets.UTF_8), null, "Root=1-abc", "arn"));
    }

    @Test
    void reservedConcurrencyOfZeroThrottlesEveryInvocation() throws Exception {
        Pools s = pools(10);
        Deployment a = fn("zero");
        s.reserveConcurrency(a.config().key(), OptionalInt.of(0));
        assertThrottled(s, a, RESERVED);
        assertThat(s.stats().liveEnvironments()).as("nothing was started").isZero();
        s.reserveConcurrency(a.config().key(), OptionalInt.empty());
        try (Lease lease = s.acquire(a)) {
            assertThat(invoke(lease).kind()).isEqualTo(Kind.SUCCESS);
        }
    }

    @Test
    void reservationCapsTheFunctionWhileOthersOfTheAccountStillRun() throws Exception {
        Pools s = pools(10);
        Deployment a = fn("capped");
        Deployment b = fn("other");
        s.reserveConcurrency(a.config().key(), OptionalInt.of(2));
        try (Lease a1 = s.acquire(a);
                Lease _ = s.acquire(a)) {
            assertThrottled(s, a, RESERVED);
            try (Lease b1 = s.acquire(b)) {
                assertThat(invoke(b1).kind()).isEqualTo(Kind.SUCCESS);
                assertThat(s.accountConcurrency("000000000000")).isEqualTo(new AccountConcurrency(10, 2, 8, 3));
            }
            assertThat(invoke(a1).kind()).isEqualTo(Kind.SUCCESS);
        }
        try (Lease again = s.acquire(a)) {
            assertThat(again.coldStart())
                    .as("a released slot admits again, on a warm environment")
                    .isFalse();
        }
    }

    @Test
    void reservationShrinksTheUnreservedPoolButIsGuaranteed() throws Exception {
        Pools s = pools(5);
        Deployment a = fn("reserver");
        Deployment b = fn("sharer");
        s.reserveConcurrency(a.config().key(), OptionalInt.of(3));
        try (Lease _ = s.acquire(b);
                Lease _ = s.acquire(b)) {
            assertThrottled(s, b, ACCOUNT);
            try (Lease _ = s.acquire(a);
                    Lease _ = s.acquire(a);
                    Lease _ = s.acquire(a)) {
                assertThat(s.accountConcurrency("000000000000").inFlight()).isEqualTo(5);
                assertThrottled(s, a, RESERVED);
            }
        }
        assertThat(s.accountConcurrency("000000000000")).isEqualTo(new AccountConcurrency(5, 3, 2, 0));
    }

    @Test
    void accountsAreIndependent() throws Exception {
        Pools s = pools(1);
        Deployment x = TestDeployments.deployment(dir, "111111111111", "fx", 128, 3, Map.of());
        Deployment y = TestDeployments.deployment(dir, "222222222222", "fy", 128, 3, Map.of());
        try (Lease _ = s.acquire(x)) {
            assertThrottled(s, x, ACCOUNT);
            try (Lease other = s.acquire(y)) {
                assertThat(invoke(other).kind()).isEqualTo(Kind.SUCCESS);
            }
            assertThat(s.accountConcurrency("111111111111").inFlight()).isEqualTo(1);
            assertThat(s.accountConcurrency("222222222222").inFlight()).isZero();
        }
        assertThat(s.accountConcurrency("333333333333")).isEqualTo(new AccountConcurrency(1, 0, 1, 0));
    }

    @Test
    void releaseUndoesWhatAdmissionChargedEvenIfTheReservationChangedMeanwhile() throws Exception {
        Pools s = pools(2);
        Deployment a = fn("changing");
        Deployment b = fn("bystander");
        try (Lease _ = s.acquire(a)) {
            s.reserveConcurrency(a.config().key(), OptionalInt.of(1));
            assertThrottled(s, a, RESERVED); // its in-flight invocation counts against the new reservation
        }
        // The unreserved pool (2 − 1 = 1) got its slot back: b can run one, not two.
        try (Lease _ = s.acquire(b)) {
            assertThrottled(s, b, ACCOUNT);
            try (Lease _ = s.acquire(a)) {
                s.reserveConcurrency(a.config().key(), OptionalInt.empty());
            }
            assertThat(s.accountConcurrency("000000000000").inFlight()).isEqualTo(1);
        }
        assertThat(s.stats().inFlight()).isZero();
        try (Lease _ = s.acquire(b);
                Lease _ = s.acquire(b)) {
            assertThrottled(s, a, ACCOUNT);
        }
    }

    @Test
    void deletingAFunctionGivesItsReservationBack() throws Exception {
        Pools s = pools(10);
        FunctionKey a = fn("deleted").config().key();
        s.reserveConcurrency(a, OptionalInt.of(4));
        assertThat(s.accountConcurrency("000000000000").unreserved()).isEqualTo(6);
        s.retire(a);
        assertThat(s.accountConcurrency("000000000000")).isEqualTo(new AccountConcurrency(10, 0, 10, 0));
    }
}
