package dev.lethe.values;

import java.time.Instant;

/** A personal value as stored, opened under its subject's key. */
public record StoredValue(
        String valueId,
        String subjectId,
        String category,
        String field,
        Instant collectedAt,
        String recordKind,
        String recordId,
        String ruleKind,
        Instant anchorAt,
        Sensitive value) {}
