package dev.spur.pools;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrency budgets as Lambda keeps them: each account has a limit of concurrent invocations; a
 * function may reserve part of it, which both guarantees and caps its own concurrency, and the
 * functions without a reservation share the rest (the unreserved pool).
 *
 * <p>Admission is lock-free: one volatile read of the reservation, then increment-and-check on an
 * atomic counter, undone when over. What an admission charged is returned to the caller (the
 * {@link Lease} keeps it) so the release undoes exactly that, whatever the reservation has become in
 * between. Changing reservations is rare and serialised by this object's monitor so that an
 * account's {@code reservedTotal} always equals the sum of its functions' reservations.
 *
 * <p>In a fleet each node admits only its {@link ConcurrencyShare} of the account's unreserved pool and
 * of each reservation; what is reported ({@link #concurrency}) stays the fleet-wide limit.
 */
final class Budgets {
    static final int NO_RESERVATION = -1;

    private final int accountLimit;
    private volatile ConcurrencyShare share = ConcurrencyShare.WHOLE;
    private final ConcurrentMap<String, AccountBudget> accounts = new ConcurrentHashMap<>();
    private final ConcurrentMap<FunctionKey, FunctionBudget> functions = new ConcurrentHashMap<>();

    Budgets(int accountLimit) {
        this.accountLimit = accountLimit;
    }

    /** From now on this node admits only its share of each limit. */
    void share(ConcurrencyShare s) {
        share = s;
    }

    /** The budget of a function; created on first use, so only the first invocation allocates. */
    FunctionBudget of(FunctionKey key) {
        FunctionBudget f = functions.get(key);
        return f != null ? f : functions.computeIfAbsent(key, k -> new FunctionBudget(k, account(k.account())));
    }

    private AccountBudget account(String id) {
        AccountBudget a = accounts.get(id);
        return a != null ? a : accounts.computeIfAbsent(id, k -> new AccountBudget());
    }

    synchronized void reserve(FunctionKey key, OptionalInt reserved) {
        LambdaException.requireValid(reserved.orElse(0) >= 0, "ReservedConcurrentExecutions must be ≥ 0");
        FunctionBudget f = of(key);
        int next = reserved.orElse(NO_RESERVATION);
        f.account.reservedTotal.addAndGet(Math.max(next, 0) - Math.max(f.reserved, 0));
        f.reserved = next;
    }

    /** Forgets a deleted function: its reservation goes back to the account's unreserved pool. */
    synchronized void drop(FunctionKey key) {
        FunctionBudget f = functions.remove(key);
        if (f != null) {
            f.account.reservedTotal.addAndGet(-Math.max(f.reserved, 0));
            f.reserved = NO_RESERVATION;
        }
    }

    AccountConcurrency concurrency(String account) {
        AccountBudget a = accounts.get(account);
        int reserved = a == null ? 0 : a.reservedTotal.get();
        int inFlight = a == null ? 0 : a.inFlight.get();
        return new AccountConcurrency(accountLimit, reserved, accountLimit - reserved, inFlight);
    }

    int inFlight() {
        int n = 0;
        for (AccountBudget a : accounts.values()) {
            n += a.inFlight.get();
        }
        return n;
    }

    private static final class AccountBudget {
        /** Every invocation of the account now, reserved or not. */
        final AtomicInteger inFlight = new AtomicInteger();
        /** Invocations of functions without a reservation (charged to the unreserved pool). */
        final AtomicInteger unreservedInFlight = new AtomicInteger();

        final AtomicInteger reservedTotal = new AtomicInteger();
    }

    /** One function's share: its invocations in flight (all versions) and its reservation, if any. */
    final class FunctionBudget {
        private final FunctionKey key;
        private final AccountBudget account;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile int reserved = NO_RESERVATION;

        private FunctionBudget(FunctionKey key, AccountBudget account) {
            this.key = key;
            this.account = account;
        }

        /**
         * Admits one invocation or throws 429.
         *
         * @return whether it was charged to the function's reservation (else to the unreserved pool);
         *         pass it back to {@link #release}
         */
        boolean admit() {
            int r = reserved;
            ConcurrencyShare s = share;
            if (r >= 0) {
                if (inFlight.incrementAndGet() > s.ofReservation(key, r)) {
                    inFlight.decrementAndGet();
                    throw LambdaException.throttled(
                            "ReservedFunctionConcurrentInvocationLimitExceeded", 1, "Rate Exceeded.");
                }
                account.inFlight.incrementAndGet();
                return true;
            }
            if (account.unreservedInFlight.incrementAndGet()
                    > s.ofAccount(key.account(), accountLimit - account.reservedTotal.get())) {
                account.unreservedInFlight.decrementAndGet();
                throw LambdaException.throttled("ConcurrentInvocationLimitExceeded", 1, "Rate Exceeded.");
            }
            inFlight.incrementAndGet();
            account.inFlight.incrementAndGet();
            return false;
        }

        void release(boolean chargedToReservation) {
            if (!chargedToReservation) {
                account.unreservedInFlight.decrementAndGet();
            }
            inFlight.decrementAndGet();
            account.inFlight.decrementAndGet();
        }
    }
}
