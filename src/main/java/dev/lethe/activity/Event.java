package dev.lethe.activity;

import java.time.Instant;

/**
 * An event as stored: ids, time and type. Its personal values are apart, in personal_values.
 * {@code ruleKind} names the record rule that governs it; its clock starts when it occurred.
 * {@code subjectId} is null once the event is anonymised.
 */
public record Event(
        String eventId,
        String subjectId,
        String sessionId,
        String type,
        String ruleKind,
        Instant occurredAt,
        Instant receivedAt) {}
