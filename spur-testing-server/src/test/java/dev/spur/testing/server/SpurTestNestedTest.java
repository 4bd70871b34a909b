package dev.spur.testing.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@code @Nested} classes of a {@link SpurTest} class. */
@SpurTest(shared = false)
class SpurTestNestedTest {
    static Spur enclosing;

    /** Without options of its own: the enclosing class's server. */
    @Nested
    class WithoutOptions {
        @Test
        void aNestedClassWithoutOptionsUsesTheEnclosingServer(Spur spur) {
            assertThat(spur).isSameAs(enclosing);
        }
    }

    /** With options of its own: the server of those. */
    @Nested
    @SpurTest
    class WithOptions {
        @Test
        void aNestedClassWithOptionsGetsTheirServer(Spur spur) {
            assertThat(spur).isNotSameAs(enclosing);
            assertThat(spur.shared()).isTrue();
        }
    }
}
