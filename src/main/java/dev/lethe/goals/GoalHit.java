package dev.lethe.goals;

import java.time.Instant;

/** One event that achieved one goal: whose, in which session, when. Ids and a time only. */
public record GoalHit(String goalId, String eventId, String subjectId, String sessionId, Instant achievedAt) {}
