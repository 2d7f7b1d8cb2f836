package dev.lethe.registry;

import java.time.Instant;

/**
 * One accepted policy, immutable: its number, the text as submitted, the policy read from it, who
 * submitted it (a key id) and when.
 */
public record PolicyVersion(
        String accountId,
        int version,
        String source,
        String mediaType,
        Policy policy,
        String author,
        Instant createdAt) {}
