package dev.spur.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.auth.Credential;
import dev.spur.auth.SecretBox;
import dev.spur.common.LambdaException;
import dev.spur.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access keys on a real store: created for an account with the secret sealed at rest, found by id,
 * deleted; another process's deletion is seen within the cache's 30 s (a fake clock, not a sleep).
 */
class AccessKeyServiceTest {
    @TempDir
    Path data;

    MetadataStore store;
    MutableClock clock = new MutableClock(Instant.parse("2025-06-01T00:00:00Z"));

    @BeforeEach
    void open() {
        store = MetadataStore.sqlite(data.resolve("spur.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aKeyIsCreatedForATwelveDigitAccountAndItsSecretIsStoredSealed() {
        AccessKeyService keys = service();

        Credential key = keys.create("123456789012");

        assertThat(key.accessKeyId()).startsWith("AKSP");
        assertThat(key.account()).isEqualTo("123456789012");
        assertThat(keys.find(key.accessKeyId())).contains(key);
        MetadataStore.AccessKeyRecord stored =
                store.findAccessKey(key.accessKeyId()).orElseThrow();
        assertThat(stored.sealedSecret()).doesNotContain(key.secretKey());
        assertThat(SecretBox.open(data.resolve("master.key")).open(stored.sealedSecret()))
                .isEqualTo(key.secretKey());
        assertThat(stored.createdAt()).isEqualTo(clock.instant());
        assertThat(keys.list())
                .extracting(MetadataStore.AccessKeyRecord::accessKeyId)
                .containsExactly(key.accessKeyId());
        assertThat(key.toString()).doesNotContain(key.secretKey());
    }

    @Test
    void anAccountThatIsNotTwelveDigitsIsRefused() {
        assertThatThrownBy(() -> service().create("12345"))
                .isInstanceOf(LambdaException.class)
                .hasMessage("An account id is 12 digits, got '12345'.");
        assertThat(store.listAccessKeys()).isEmpty();
    }

    @Test
    void aDeletedKeyIsGoneAtOnceHereAndWithinThirtySecondsForAnotherProcess() {
        AccessKeyService here = service();
        AccessKeyService otherProcess = service();
        Credential key = here.create("123456789012");
        assertThat(otherProcess.find(key.accessKeyId())).isPresent();

        assertThat(here.delete(key.accessKeyId())).isTrue();

        assertThat(here.find(key.accessKeyId())).isEmpty();
        assertThat(otherProcess.find(key.accessKeyId())).as("cached").isPresent();
        clock.advance(Duration.ofSeconds(29));
        assertThat(otherProcess.find(key.accessKeyId())).as("cached").isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(otherProcess.find(key.accessKeyId())).isEmpty();
        assertThat(here.delete(key.accessKeyId())).isFalse();
    }

    private AccessKeyService service() {
        return new AccessKeyService(store, SecretBox.open(data.resolve("master.key")), clock);
    }
}
