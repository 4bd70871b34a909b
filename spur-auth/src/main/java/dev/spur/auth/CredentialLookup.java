package dev.spur.auth;

import java.util.Optional;

/** Finds the credential for an access key id; empty if the key is unknown or disabled. */
@FunctionalInterface
public interface CredentialLookup {
    Optional<Credential> find(String accessKeyId);
}
