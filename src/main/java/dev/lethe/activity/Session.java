package dev.lethe.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A visit: a visitor's events until a pause longer than the session timeout. Its summary is what
 * outlives the complete session: when, how long, how many pages and events, the important events
 * (every type other than page views, counted), and the goals achieved in it; its source and
 * campaign are personal values of record kind session_summary.
 *
 * @param ruleKind the record rule that governs the session (a session rule; the summary's rule once
 *     summarised); its clock starts when the session started
 * @param eventTypes how many events of each type other than page views; at most {@link
 *     #MAX_EVENT_TYPES} types, the rest counted under {@link #OTHER_TYPES}
 */
public record Session(
        String sessionId,
        String subjectId,
        String sessionKey,
        String visitorIndex,
        String ruleKind,
        Instant startedAt,
        Instant lastEventAt,
        int eventCount,
        int pageCount,
        Map<String, Integer> eventTypes) {

    /** How many distinct event types a summary names before counting the rest together. */
    public static final int MAX_EVENT_TYPES = 30;

    /** Where events of types beyond the first {@link #MAX_EVENT_TYPES} are counted. */
    public static final String OTHER_TYPES = "(other)";

    public Session {
        eventTypes = Collections.unmodifiableMap(new TreeMap<>(eventTypes));
    }

    public Duration duration() {
        return Duration.between(startedAt, lastEventAt);
    }

    /** True once no event can join it any more: its last event is older than the timeout. */
    public boolean endedBy(Instant now, Duration timeout) {
        return lastEventAt.plus(timeout).isBefore(now);
    }

    /** A new session started by one event. */
    static Session start(
            String sessionId,
            String subjectId,
            String sessionKey,
            String visitorIndex,
            String ruleKind,
            Instant at,
            String type) {
        return new Session(sessionId, subjectId, sessionKey, visitorIndex, ruleKind, at, at, 0, 0, Map.of())
                .with(at, type);
    }

    /** This session with one more event. */
    Session with(Instant eventAt, String type) {
        boolean page = TrackService.isPageView(type);
        var types = new TreeMap<>(eventTypes);
        if (!page) {
            String counted = types.containsKey(type) || types.size() < MAX_EVENT_TYPES ? type : OTHER_TYPES;
            types.merge(counted, 1, Integer::sum);
        }
        return new Session(
                sessionId,
                subjectId,
                sessionKey,
                visitorIndex,
                ruleKind,
                eventAt.isBefore(startedAt) ? eventAt : startedAt,
                eventAt.isAfter(lastEventAt) ? eventAt : lastEventAt,
                eventCount + 1,
                pageCount + (page ? 1 : 0),
                types);
    }
}
