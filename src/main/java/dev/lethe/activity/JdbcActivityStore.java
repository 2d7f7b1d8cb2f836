package dev.lethe.activity;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Dialect;
import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Events and sessions in SQL. On PostgreSQL, events go to monthly partitions, made ahead of time by
 * {@link Partitions} (never here: ingest runs no DDL), so retention can drop a month at once, and a
 * large batch of events goes in with COPY rather than row by row.
 */
public final class JdbcActivityStore implements ActivityStore {

    private final Dialect dialect;

    public JdbcActivityStore(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public void insertEvents(Handle h, String accountId, List<Event> events) {
        if (events.isEmpty()) return;
        if (dialect == Dialect.POSTGRESQL && events.size() >= BinaryCopy.MIN_ROWS) {
            var copy = new BinaryCopy(
                    "events",
                    List.of(
                            "account_id",
                            "occurred_at",
                            "event_id",
                            "subject_id",
                            "session_id",
                            "type",
                            "received_at",
                            "rule_kind",
                            "anchor_at"),
                    events.size());
            for (var e : events) {
                copy.row()
                        .uuid(accountId)
                        .timestamp(e.occurredAt())
                        .uuid(e.eventId())
                        .uuid(e.subjectId())
                        .uuid(e.sessionId())
                        .text(e.type())
                        .timestamp(e.receivedAt())
                        .text(e.ruleKind())
                        .timestamp(e.occurredAt());
            }
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into events
                  (account_id, occurred_at, event_id, subject_id, session_id, type, received_at, rule_kind, anchor_at)
                values (:account, :occurredAt, :eventId, :subject, :session, :type, :receivedAt, :rule, :occurredAt)
                """);
        for (var e : events) {
            batch.bind("account", accountId)
                    .bind("occurredAt", utc(e.occurredAt()))
                    .bind("eventId", e.eventId())
                    .bind("subject", e.subjectId())
                    .bind("session", e.sessionId())
                    .bind("type", e.type())
                    .bind("receivedAt", utc(e.receivedAt()))
                    .bind("rule", e.ruleKind())
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<Event> eventsOf(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from events where account_id = :account and subject_id = :subject
                        order by occurred_at, event_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcActivityStore::event)
                .list();
    }

    @Override
    public List<Event> eventsPage(
            Handle h,
            String accountId,
            String subjectId,
            Instant from,
            Instant to,
            String type,
            TimelineCursor after,
            int limit) {
        String sql = "select * from events where account_id = :account and subject_id = :subject"
                + (type == null ? "" : " and type = :type")
                + TimelineSql.conditions("occurred_at", "event_id", from, to, after)
                + " order by occurred_at desc, event_id desc limit :limit";
        var q = h.createQuery(sql)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("limit", limit);
        if (type != null) q.bind("type", type);
        return TimelineSql.bind(q, from, to, after)
                .map(JdbcActivityStore::event)
                .list();
    }

    private static Event event(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Event(
                rs.getString("event_id"),
                rs.getString("subject_id"),
                rs.getString("session_id"),
                rs.getString("type"),
                rs.getString("rule_kind"),
                instant(rs, "occurred_at"),
                instant(rs, "received_at"));
    }

    @Override
    public Optional<Session> sessionByKey(Handle h, String accountId, String sessionKey) {
        return h.createQuery("select * from sessions where account_id = :account and session_key = :key")
                .bind("account", accountId)
                .bind("key", sessionKey)
                .map(JdbcActivityStore::session)
                .findFirst();
    }

    @Override
    public Map<String, Session> latestSessionsOfVisitors(
            Handle h, String accountId, Collection<String> visitorIndexes) {
        var out = new HashMap<String, Session>();
        if (visitorIndexes.isEmpty()) return out;
        h.createQuery("""
                        select * from sessions s
                        where s.account_id = :account and s.visitor_index in (<visitors>)
                          and s.last_event_at = (select max(l.last_event_at) from sessions l
                                                 where l.account_id = s.account_id and l.visitor_index = s.visitor_index)
                        """)
                .bind("account", accountId)
                .bindList("visitors", List.copyOf(visitorIndexes))
                .map(JdbcActivityStore::session)
                .forEach(session -> out.putIfAbsent(session.visitorIndex(), session));
        return out;
    }

    @Override
    public void insertSessions(Handle h, String accountId, List<Session> sessions) {
        if (sessions.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into sessions
                  (account_id, started_at, session_id, subject_id, session_key, visitor_index,
                   last_event_at, event_count, page_count, event_types, rule_kind, anchor_at)
                values (:account, :startedAt, :session, :subject, :key, :visitor, :last, :events, :pages, :types,
                        :rule, :startedAt)
                """);
        for (var s : sessions) {
            batch.bind("account", accountId)
                    .bind("startedAt", utc(s.startedAt()))
                    .bind("session", s.sessionId())
                    .bind("subject", s.subjectId())
                    .bind("key", s.sessionKey())
                    .bind("visitor", s.visitorIndex())
                    .bind("last", utc(s.lastEventAt()))
                    .bind("events", s.eventCount())
                    .bind("pages", s.pageCount())
                    .bind("types", eventTypes(s))
                    .bind("rule", s.ruleKind())
                    .add();
        }
        batch.execute();
    }

    /**
     * Rewrites sessions found by their whole primary key (account, stored start, id): by id alone
     * the lookup would read every session of the account in the primary key, a cost that grows
     * with the account. A session whose start another batch moved meanwhile is found again by id.
     */
    @Override
    public void updateSessions(Handle h, String accountId, List<SessionUpdate> updates) {
        if (updates.isEmpty()) return;
        // In id order, so two batches extending the same sessions lock them in the same order and
        // cannot deadlock.
        var ordered = updates.stream()
                .sorted(Comparator.comparing(u -> u.session().sessionId()))
                .toList();
        var byKey = h.prepareBatch("""
                update sessions
                set started_at = :startedAt, anchor_at = :startedAt, last_event_at = :last, event_count = :events,
                    page_count = :pages, event_types = :types
                where account_id = :account and started_at = :storedStartedAt and session_id = :session
                """);
        for (var u : ordered) {
            bindSession(byKey, accountId, u.session())
                    .bind("storedStartedAt", utc(u.storedStartedAt()))
                    .add();
        }
        int[] counts = byKey.execute();
        var moved = new ArrayList<Session>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) moved.add(ordered.get(i).session());
        }
        if (moved.isEmpty()) return;
        var byId = h.prepareBatch("""
                update sessions
                set started_at = :startedAt, anchor_at = :startedAt, last_event_at = :last, event_count = :events,
                    page_count = :pages, event_types = :types
                where account_id = :account and session_id = :session
                """);
        for (var s : moved) bindSession(byId, accountId, s).add();
        byId.execute();
    }

    private static PreparedBatch bindSession(PreparedBatch batch, String accountId, Session s) {
        return batch.bind("account", accountId)
                .bind("session", s.sessionId())
                .bind("startedAt", utc(s.startedAt()))
                .bind("last", utc(s.lastEventAt()))
                .bind("events", s.eventCount())
                .bind("pages", s.pageCount())
                .bind("types", eventTypes(s));
    }

    @Override
    public List<Session> sessionsOf(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from sessions where account_id = :account and subject_id = :subject
                        order by started_at, session_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcActivityStore::session)
                .list();
    }

    @Override
    public int messageCount(Handle h, String accountId, String subjectId) {
        return h.createQuery("select count(*) from messages where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .mapTo(Integer.class)
                .one();
    }

    @Override
    public int deleteActivity(Handle h, String accountId, String subjectId) {
        int deleted = 0;
        for (String table : List.of("events", "sessions", "messages")) {
            deleted += h.createUpdate("delete from " + table + " where account_id = :account and subject_id = :subject")
                    .bind("account", accountId)
                    .bind("subject", subjectId)
                    .execute();
        }
        return deleted;
    }

    @Override
    public Map<String, VisitCounts> visitCounts(
            Handle h, String accountId, Collection<String> subjectIds, Instant since) {
        var out = new HashMap<String, VisitCounts>();
        if (subjectIds.isEmpty()) return out;
        h.createQuery("""
                        select subject_id, count(*) as visits,
                               sum(case when started_at >= :since then 1 else 0 end) as recent
                        from sessions where account_id = :account and subject_id in (<subjects>)
                        group by subject_id
                        """)
                .bind("account", accountId)
                .bind("since", utc(since))
                .bindList("subjects", Ids.uuids(subjectIds))
                .map((rs, ctx) -> Map.entry(rs.getString(1), new VisitCounts(rs.getInt(2), rs.getInt(3))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static Session session(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Session(
                rs.getString("session_id"),
                rs.getString("subject_id"),
                rs.getString("session_key"),
                rs.getString("visitor_index"),
                rs.getString("rule_kind"),
                instant(rs, "started_at"),
                instant(rs, "last_event_at"),
                rs.getInt("event_count"),
                rs.getInt("page_count"),
                eventTypes(rs.getString("event_types")));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String eventTypes(Session s) {
        try {
            return JSON.writeValueAsString(s.eventTypes());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of counts always serialises", e);
        }
    }

    /** Sessions stored before summaries counted event types read as having none. */
    private static Map<String, Integer> eventTypes(String json) {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Integer>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored session summary does not parse", e);
        }
    }
}
