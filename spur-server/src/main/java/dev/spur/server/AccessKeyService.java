package dev.spur.server;

import dev.spur.auth.AccessKeys;
import dev.spur.auth.Credential;
import dev.spur.auth.CredentialLookup;
import dev.spur.auth.SecretBox;
import dev.spur.common.LambdaException;
import dev.spur.store.KeyStore;
import dev.spur.store.KeyStore.AccessKeyRecord;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Access keys: created for an account, stored with the secret sealed under the data directory's
 * master key ({@link SecretBox}), looked up by the SigV4 verifier.
 *
 * <p>Keys may be created or deleted by another process on the same data directory ({@code spur keys
 * …} while the server runs) or by another node of a fleet, so lookups go to the store and are cached
 * until the change feed names the key ({@link #changed}), and for {@link #CACHE_TTL} at most: a deleted
 * key stops working within the feed's propagation (about a second), and within that time whatever
 * happens to the feed. Secrets exist in plain text only in memory and in
 * the one answer to {@link #create}; they are never logged.
 */
public final class AccessKeyService implements CredentialLookup {
    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private final KeyStore store;
    private final SecretBox box;
    private final InstantSource clock;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public AccessKeyService(KeyStore store, SecretBox box, InstantSource clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    /** Creates a key for {@code account} (12 digits); the returned credential is the only copy of its secret. */
    public Credential create(String account) {
        LambdaException.requireValid(
                account != null && ACCOUNT.matcher(account).matches(),
                "An account id is 12 digits, got '%s'.",
                account);
        Credential credential = new Credential(AccessKeys.newAccessKeyId(), AccessKeys.newSecretKey(), account);
        store.createAccessKey(new AccessKeyRecord(
                credential.accessKeyId(), account, box.seal(credential.secretKey()), clock.instant()));
        return credential;
    }

    public List<AccessKeyRecord> list() {
        return store.listAccessKeys();
    }

    public boolean delete(String accessKeyId) {
        cache.remove(accessKeyId);
        return store.deleteAccessKey(accessKeyId);
    }

    @Override
    public Optional<Credential> find(String accessKeyId) {
        long now = clock.millis();
        Cached cached = cache.get(accessKeyId);
        if (cached != null && now - cached.loadedAt < CACHE_TTL.toMillis()) {
            return cached.credential;
        }
        Optional<Credential> credential = store.findAccessKey(accessKeyId)
                .map(r -> new Credential(r.accessKeyId(), box.open(r.sealedSecret()), r.account()));
        if (credential.isPresent() || cache.size() < 10_000) { // unknown ids are cached too, up to a bound
            cache.put(accessKeyId, new Cached(credential, now));
        }
        return credential;
    }

    /** Forgets what is cached of one key (another node or process created or deleted it). */
    public void changed(String accessKeyId) {
        cache.remove(accessKeyId);
    }

    /** Forgets every cached key (the change feed lost track). */
    public void reloadAll() {
        cache.clear();
    }

    private record Cached(Optional<Credential> credential, long loadedAt) {}
}
