package dev.lethe.accounts;

import java.time.Instant;
import java.util.Set;

/** A stored key: only the hash of its secret is kept. */
public record ApiKey(
        String accountId,
        String keyId,
        String secretHash,
        Set<Scope> scopes,
        String label,
        Instant createdAt,
        Instant revokedAt) {}
