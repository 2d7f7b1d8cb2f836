package dev.lethe.values;

import java.time.Instant;

/**
 * A personal value to store: whose, which category, where it arrived, when it was collected and,
 * if it belongs to a record (an event, a session), which one. {@code ruleKind} names the policy's
 * record rule that governs the part of the record the value belongs to (null when none does; its
 * category's rule governs it all the same), and {@code anchorAt} is when that rule's clock starts
 * (the collection, the send-at date, the conversation's start). See docs/storage.md.
 */
public record NewValue(
        String subjectId,
        String category,
        String field,
        Instant collectedAt,
        String recordKind,
        String recordId,
        String ruleKind,
        Instant anchorAt,
        Sensitive value) {}
