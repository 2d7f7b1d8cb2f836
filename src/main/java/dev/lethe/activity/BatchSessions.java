package dev.lethe.activity;

import dev.lethe.storage.Ids;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The sessions one track batch touches: each visitor's latest session loaded in one query, events
 * joined to them in time order, and every new or changed session written once at the end.
 */
final class BatchSessions {

    private final ActivityStore store;
    private final SubjectDirectory subjects;
    private final Ids ids;
    private final Duration sessionTimeout;
    private final Handle h;
    private final String accountId;
    private final Map<String, Session> byVisitor = new HashMap<>();
    private final Map<String, Session> byKey = new HashMap<>();
    private final Map<String, Session> created = new LinkedHashMap<>();
    private final Map<String, Session> changed = new LinkedHashMap<>();
    /** When each changed session started as stored: with its id, the row's primary key. */
    private final Map<String, Instant> storedStart = new HashMap<>();

    /** Loads the latest session of every visitor of the batch in one query. */
    BatchSessions(
            ActivityStore store,
            SubjectDirectory subjects,
            Ids ids,
            Duration sessionTimeout,
            Handle h,
            String accountId,
            Collection<String> visitorIndexes) {
        this.store = store;
        this.subjects = subjects;
        this.ids = ids;
        this.sessionTimeout = sessionTimeout;
        this.h = h;
        this.accountId = accountId;
        byVisitor.putAll(store.latestSessionsOfVisitors(h, accountId, visitorIndexes));
    }

    record Joined(Session session, boolean isNew) {}

    /**
     * The session an event of this visitor (and person) at {@code ts} belongs to: the client's
     * session id if it gave one, else the visitor's latest visit unless it ended (no event for
     * longer than the session timeout), else a new one.
     */
    Joined join(
            String visitorIndex, String clientSessionId, Instant ts, String type, String subjectId, String ruleKind) {
        String key = clientSessionId == null
                ? null
                : subjects.blindIndex(accountId, IdentifierKind.VISITOR, "session:" + clientSessionId.strip());
        Session current = key != null
                ? byKey.computeIfAbsent(
                        key, k -> store.sessionByKey(h, accountId, k).orElse(null))
                : byVisitor.get(visitorIndex);
        // a session continues only with its own person: a session key or device that now
        // belongs to someone else starts a new visit rather than mixing two people's events
        boolean continues = current != null
                && current.subjectId().equals(subjectId)
                && (key != null
                        || (!ts.isAfter(current.lastEventAt().plus(sessionTimeout))
                                && !ts.isBefore(current.startedAt().minus(sessionTimeout))));
        Session session;
        boolean isNew = !continues;
        if (continues) {
            session = current.with(ts, type);
            if (!created.containsKey(session.sessionId())) {
                storedStart.putIfAbsent(session.sessionId(), current.startedAt());
                changed.put(session.sessionId(), session);
            } else {
                created.put(session.sessionId(), session);
            }
        } else {
            String id = ids.next();
            session = Session.start(id, subjectId, key == null ? id : key, visitorIndex, ruleKind, ts, type);
            created.put(id, session);
        }
        byVisitor.put(visitorIndex, session);
        if (key != null) byKey.put(key, session);
        return new Joined(session, isNew);
    }

    void write() {
        store.insertSessions(h, accountId, List.copyOf(created.values()));
        store.updateSessions(
                h,
                accountId,
                changed.values().stream()
                        .map(c -> new ActivityStore.SessionUpdate(storedStart.get(c.sessionId()), c))
                        .toList());
    }
}
