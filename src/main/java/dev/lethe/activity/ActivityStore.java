package dev.lethe.activity;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Events and sessions. Methods run on the caller's handle. */
public interface ActivityStore {

    void insertEvents(Handle h, String accountId, List<Event> events);

    List<Event> eventsOf(Handle h, String accountId, String subjectId);

    /**
     * A page of a subject's events, newest first (time, then id): those in [{@code from}, {@code to})
     * of {@code type} (null bounds and type mean any) that come after {@code after} (null: from the
     * newest), at most {@code limit}.
     */
    List<Event> eventsPage(
            Handle h,
            String accountId,
            String subjectId,
            Instant from,
            Instant to,
            String type,
            TimelineCursor after,
            int limit);

    Optional<Session> sessionByKey(Handle h, String accountId, String sessionKey);

    /** The most recent session of each visitor that has one, in one query. */
    Map<String, Session> latestSessionsOfVisitors(Handle h, String accountId, Collection<String> visitorIndexes);

    void insertSessions(Handle h, String accountId, List<Session> sessions);

    /**
     * A session to rewrite, with when it started as stored: the stored start and the id are the
     * row's primary key, and an event earlier than the start moves the start.
     */
    record SessionUpdate(Instant storedStartedAt, Session session) {}

    void updateSessions(Handle h, String accountId, List<SessionUpdate> updates);

    /** How many messages a subject has (they are stored by MessageStore). */
    int messageCount(Handle h, String accountId, String subjectId);

    List<Session> sessionsOf(Handle h, String accountId, String subjectId);

    int deleteActivity(Handle h, String accountId, String subjectId);

    /** For each of these subjects: how many visits in all, and how many started at or after {@code since}. */
    Map<String, VisitCounts> visitCounts(Handle h, String accountId, Collection<String> subjectIds, Instant since);

    /** A subject's number of visits, in all and recently. */
    record VisitCounts(int all, int recent) {}
}
