package dev.lethe.goals;

import java.time.Instant;

/**
 * One event that achieved one goal: whose, in which session, when. Ids and a time only. A hit is
 * governed by its event's record rule ({@code ruleKind}), counted from when it was achieved.
 */
public record GoalHit(
        String goalId, String eventId, String subjectId, String sessionId, String ruleKind, Instant achievedAt) {}
