package dev.lethe.values;

import java.time.Instant;

/**
 * A row of personal_values: everything but the value is in the clear, the value is sealed under
 * the key {@code keyId} names (derived for its category), which opens it wherever the row's
 * subject goes.
 */
public record SealedValue(
        String valueId,
        String subjectId,
        String category,
        String field,
        Instant collectedAt,
        String recordKind,
        String recordId,
        String ruleKind,
        Instant anchorAt,
        String keyId,
        byte[] ciphertext) {}
