package dev.lethe.activity;

import java.time.Instant;

/** An event as stored: ids, time and type. Its personal values are apart, in personal_values. */
public record Event(
        String eventId, String subjectId, String sessionId, String type, Instant occurredAt, Instant receivedAt) {}
