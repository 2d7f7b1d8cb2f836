package dev.lethe.activity;

import java.time.Duration;
import java.time.Instant;

/**
 * A visit: a visitor's events until a pause longer than the session timeout. Its summary is what
 * outlives the complete session: when, how long, how many pages and events; its source and
 * campaign are personal values of record kind session_summary.
 */
public record Session(
        String sessionId,
        String subjectId,
        String sessionKey,
        String visitorIndex,
        Instant startedAt,
        Instant lastEventAt,
        int eventCount,
        int pageCount) {

    public Duration duration() {
        return Duration.between(startedAt, lastEventAt);
    }

    Session with(Instant eventAt, boolean page) {
        return new Session(
                sessionId,
                subjectId,
                sessionKey,
                visitorIndex,
                eventAt.isBefore(startedAt) ? eventAt : startedAt,
                eventAt.isAfter(lastEventAt) ? eventAt : lastEventAt,
                eventCount + 1,
                pageCount + (page ? 1 : 0));
    }
}
