package dev.spur.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A node's share of fleet-wide limits: the parts of a limit add up to it, and admission stops at the part. */
class ConcurrencyShareTest {
    private static final FunctionKey FN = new FunctionKey("123456789012", "us-east-1", "f");

    @Test
    void thePartsOfEveryLimitOverEveryFleetSizeAddUpToTheLimitAndDifferByAtMostOne() {
        for (int nodes = 1; nodes <= 7; nodes++) {
            for (int limit = 0; limit <= 50; limit++) {
                int sum = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int rank = 0; rank < nodes; rank++) {
                    int part = ConcurrencyShare.part(limit, nodes, rank);
                    sum += part;
                    min = Math.min(min, part);
                    max = Math.max(max, part);
                }
                assertThat(sum).as("limit %d over %d nodes", limit, nodes).isEqualTo(limit);
                assertThat(max - min).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void aNodeAdmitsUpToItsShareOfAReservationAndOfTheAccount() {
        Budgets budgets = new Budgets(10);
        budgets.share(new ConcurrencyShare() {
            @Override
            public int ofAccount(String account, int unreserved) {
                return ConcurrencyShare.part(unreserved, 3, 2);
            }

            @Override
            public int ofReservation(FunctionKey function, int reserved) {
                return ConcurrencyShare.part(reserved, 3, 0);
            }
        });
        budgets.reserve(FN, OptionalInt.of(4)); // parts 2, 1, 1: this node is ranked first
        Budgets.FunctionBudget reserved = budgets.of(FN);
        assertThat(reserved.admit()).isTrue();
        assertThat(reserved.admit()).isTrue();
        assertThatThrownBy(reserved::admit).isInstanceOfSatisfying(LambdaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
            assertThat(e.reason()).contains("ReservedFunctionConcurrentInvocationLimitExceeded");
        });

        // unreserved: 10 - 4 = 6, parts 2, 2, 2
        Budgets.FunctionBudget other = budgets.of(new FunctionKey("123456789012", "us-east-1", "g"));
        assertThat(other.admit()).isFalse();
        assertThat(other.admit()).isFalse();
        assertThatThrownBy(other::admit)
                .isInstanceOfSatisfying(
                        LambdaException.class,
                        e -> assertThat(e.reason()).contains("ConcurrentInvocationLimitExceeded"));
        assertThat(budgets.concurrency("123456789012").unreserved())
                .as("reported fleet-wide")
                .isEqualTo(6);
    }
}
