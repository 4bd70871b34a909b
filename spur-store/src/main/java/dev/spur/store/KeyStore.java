package dev.spur.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Access keys for SigV4, their secrets sealed. Failure semantics as {@link FunctionStore}: one
 * transaction per call, recorded in the {@link ChangeFeed}.
 */
public interface KeyStore {

    /** Stores a new access key; 409 if the id exists. */
    void createAccessKey(AccessKeyRecord key);

    Optional<AccessKeyRecord> findAccessKey(String accessKeyId);

    /** Every access key, ordered by account then id. */
    List<AccessKeyRecord> listAccessKeys();

    boolean deleteAccessKey(String accessKeyId);

    /**
     * An access key as stored.
     *
     * @param sealedSecret the secret key sealed with the server's master key; never the plain secret
     */
    record AccessKeyRecord(String accessKeyId, String account, String sealedSecret, Instant createdAt) {
        @Override
        public String toString() {
            return "AccessKeyRecord[" + accessKeyId + ", account " + account + "]";
        }
    }
}
