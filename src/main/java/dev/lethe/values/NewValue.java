package dev.lethe.values;

import java.time.Instant;

/**
 * A personal value to store: whose, which category, where it arrived, when it was collected and,
 * if it belongs to a record (an event, a session), which one.
 */
public record NewValue(
        String subjectId,
        String category,
        String field,
        Instant collectedAt,
        String recordKind,
        String recordId,
        Sensitive value) {}
