package dev.lethe.requests;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Requests in SQL. */
public final class JdbcRequestStore implements RequestStore {

    /** The due date that counts: the extended one when there is one. */
    private static final String DUE = "coalesce(extended_to, due_at)";

    private static final String CLOSED = "('completed', 'rejected')";

    @Override
    public void insert(Handle h, String accountId, DataRequest r) {
        h.createUpdate("""
                        insert into requests (account_id, request_id, request_type, subject_id, identifier_kind,
                                              status, outcome, purposes, received_at, clock_started_at, due_at,
                                              extended_to, extension_reason, verification_hash,
                                              verification_attempts, verification_expires, reason, restricted,
                                              lifted_at, closed_at, created_by, updated_at)
                        values (:account, :id, :type, :subject, :kind, :status, :outcome, :purposes, :received,
                                :clockStarted, :due, :extendedTo, :extensionReason, :verificationHash,
                                :attempts, :verificationExpires, :reason, :restricted, :liftedAt, :closedAt,
                                :createdBy, :updatedAt)
                        """)
                .bind("account", accountId)
                .bind("id", r.requestId())
                .bind("type", r.type().wireName())
                .bind("subject", r.subjectId())
                .bind("kind", r.identifierKind())
                .bind("received", utc(r.receivedAt()))
                .bind("createdBy", r.createdBy())
                .bindMap(mutable(r))
                .execute();
    }

    @Override
    public void update(Handle h, String accountId, DataRequest r) {
        h.createUpdate("""
                        update requests set status = :status, outcome = :outcome, purposes = :purposes,
                               clock_started_at = :clockStarted, due_at = :due, extended_to = :extendedTo,
                               extension_reason = :extensionReason, verification_hash = :verificationHash,
                               verification_attempts = :attempts, verification_expires = :verificationExpires,
                               reason = :reason, restricted = :restricted, lifted_at = :liftedAt,
                               closed_at = :closedAt, updated_at = :updatedAt
                        where account_id = :account and request_id = :id
                        """)
                .bind("account", accountId)
                .bind("id", r.requestId())
                .bindMap(mutable(r))
                .execute();
    }

    private static Map<String, Object> mutable(DataRequest r) {
        var m = new HashMap<String, Object>();
        m.put("status", r.status().wireName());
        m.put("outcome", r.outcome());
        m.put("purposes", r.purposes().isEmpty() ? null : String.join(",", r.purposes()));
        m.put("clockStarted", utc(r.clockStartedAt()));
        m.put("due", utc(r.dueAt()));
        m.put("extendedTo", utc(r.extendedTo()));
        m.put("extensionReason", r.extensionReason());
        m.put("verificationHash", r.verificationHash());
        m.put("attempts", r.verificationAttempts());
        m.put("verificationExpires", utc(r.verificationExpires()));
        m.put("reason", r.reason());
        m.put("restricted", r.restricted());
        m.put("liftedAt", utc(r.liftedAt()));
        m.put("closedAt", utc(r.closedAt()));
        m.put("updatedAt", utc(r.updatedAt()));
        return m;
    }

    @Override
    public Optional<DataRequest> find(Handle h, String accountId, String requestId) {
        return h.createQuery("select * from requests where account_id = :account and request_id = :id")
                .bind("account", accountId)
                .bind("id", requestId)
                .map(JdbcRequestStore::request)
                .findOne();
    }

    @Override
    public Optional<DataRequest> lock(Handle h, String accountId, String requestId) {
        return h.createQuery("select * from requests where account_id = :account and request_id = :id for update")
                .bind("account", accountId)
                .bind("id", requestId)
                .map(JdbcRequestStore::request)
                .findOne();
    }

    @Override
    public List<DataRequest> page(
            Handle h, String accountId, RequestQuery q, Instant now, Instant afterReceived, String afterId, int limit) {
        var where = new ArrayList<String>();
        where.add("account_id = :account");
        if (q.status() != null) where.add("status = :status");
        if (q.type() != null) where.add("request_type = :type");
        if (Boolean.TRUE.equals(q.overdue())) where.add("status not in " + CLOSED + " and " + DUE + " < :now");
        if (Boolean.FALSE.equals(q.overdue()))
            where.add("(status in " + CLOSED + " or " + DUE + " is null or " + DUE + " >= :now)");
        if (q.dueWithin() != null)
            where.add("status not in " + CLOSED + " and " + DUE + " is not null and " + DUE + " < :dueBefore");
        if (afterReceived != null)
            where.add("(received_at > :afterReceived or (received_at = :afterReceived and request_id > :afterId))");
        var query = h.createQuery("select * from requests where " + String.join(" and ", where)
                        + " order by received_at, request_id limit :limit")
                .bind("account", accountId)
                .bind("limit", limit);
        if (q.status() != null) query.bind("status", q.status().wireName());
        if (q.type() != null) query.bind("type", q.type().wireName());
        if (q.overdue() != null) query.bind("now", utc(now));
        if (q.dueWithin() != null) query.bind("dueBefore", utc(q.dueBefore(now)));
        if (afterReceived != null)
            query.bind("afterReceived", utc(afterReceived)).bind("afterId", afterId);
        return query.map(JdbcRequestStore::request).list();
    }

    @Override
    public List<DataRequest> ofSubject(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from requests where account_id = :account and subject_id = :subject
                        order by received_at, request_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcRequestStore::request)
                .list();
    }

    @Override
    public Set<String> restrictedAmong(Handle h, String accountId, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return Set.of();
        return new HashSet<>(h.createQuery("""
                        select distinct subject_id from requests
                        where account_id = :account and restricted and subject_id in (<subjects>)
                        """)
                .bind("account", accountId)
                .bindList("subjects", dev.lethe.storage.Ids.uuids(subjectIds))
                .mapTo(String.class)
                .list());
    }

    @Override
    public Map<String, Long> overdueByAccount(Handle h, Instant now) {
        var out = new HashMap<String, Long>();
        h.createQuery("select account_id, count(*) as n from requests where status not in " + CLOSED + " and " + DUE
                        + " < :now group by account_id")
                .bind("now", utc(now))
                .map((rs, ctx) -> Map.entry(rs.getString("account_id"), rs.getLong("n")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void verificationStarted(Handle h, String accountId, String requestId, Instant at) {
        setTime(h, accountId, requestId, "verification_started_at", at);
    }

    @Override
    public void reminded(Handle h, String accountId, String requestId, Instant at) {
        setTime(h, accountId, requestId, "reminded_at", at);
    }

    @Override
    public void verified(Handle h, String accountId, String requestId, Instant at) {
        setTime(h, accountId, requestId, "verified_at", at);
    }

    private static void setTime(Handle h, String accountId, String requestId, String column, Instant at) {
        h.createUpdate("update requests set " + column + " = :at where account_id = :account and request_id = :id")
                .bind("at", utc(at))
                .bind("account", accountId)
                .bind("id", requestId)
                .execute();
    }

    @Override
    public Optional<Instant> verifiedAt(Handle h, String accountId, String requestId) {
        return h.createQuery(
                        "select verified_at from requests where account_id = :account and request_id = :id and verified_at is not null")
                .bind("account", accountId)
                .bind("id", requestId)
                .map((rs, ctx) -> instant(rs, "verified_at"))
                .findOne();
    }

    @Override
    public List<Awaiting> awaitingVerification(Handle h, Instant remindBefore, Instant giveUpBefore, int limit) {
        return h.createQuery("""
                        select account_id, request_id, verification_started_at, reminded_at from requests
                        where status = 'awaiting_verification'
                          and (verification_started_at < :giveUpBefore
                               or (verification_started_at < :remindBefore and reminded_at is null))
                        order by verification_started_at, request_id limit :limit
                        """)
                .bind("remindBefore", utc(remindBefore))
                .bind("giveUpBefore", utc(giveUpBefore))
                .bind("limit", limit)
                .map((rs, ctx) -> new Awaiting(
                        rs.getString("account_id"),
                        rs.getString("request_id"),
                        instant(rs, "verification_started_at"),
                        rs.getObject("reminded_at") != null))
                .list();
    }

    private static DataRequest request(ResultSet rs, StatementContext ctx) throws SQLException {
        String purposes = rs.getString("purposes");
        return new DataRequest(
                rs.getString("request_id"),
                RequestType.fromWire(rs.getString("request_type")).orElseThrow(),
                rs.getString("subject_id"),
                rs.getString("identifier_kind"),
                RequestStatus.fromWire(rs.getString("status")).orElseThrow(),
                rs.getString("outcome"),
                purposes == null ? List.of() : Arrays.asList(purposes.split(",")),
                instant(rs, "received_at"),
                nullable(rs, "clock_started_at"),
                nullable(rs, "due_at"),
                nullable(rs, "extended_to"),
                rs.getString("extension_reason"),
                rs.getString("verification_hash"),
                rs.getInt("verification_attempts"),
                nullable(rs, "verification_expires"),
                rs.getString("reason"),
                rs.getBoolean("restricted"),
                nullable(rs, "lifted_at"),
                nullable(rs, "closed_at"),
                rs.getString("created_by"),
                instant(rs, "updated_at"));
    }

    private static Instant nullable(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column) == null ? null : instant(rs, column);
    }
}
