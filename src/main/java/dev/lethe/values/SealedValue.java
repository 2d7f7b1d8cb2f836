package dev.lethe.values;

import java.time.Instant;

/** A row of personal_values: everything but the value is in the clear, the value is sealed. */
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
        byte[] ciphertext) {

    SealedValue withSubject(String subject, byte[] resealed) {
        return new SealedValue(
                valueId, subject, category, field, collectedAt, recordKind, recordId, ruleKind, anchorAt, resealed);
    }
}
