package dev.lethe.subjects;

import java.time.Instant;

/** A data subject: an anonymous visitor, or a profile once identified. No personal value here. */
public record Subject(
        String accountId,
        String subjectId,
        String subjectType,
        boolean identified,
        Instant createdAt,
        Instant firstSeenAt,
        Instant lastSeenAt) {}
