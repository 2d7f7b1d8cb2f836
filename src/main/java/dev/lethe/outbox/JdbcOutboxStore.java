package dev.lethe.outbox;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.Dialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The outbox table in SQL. */
final class JdbcOutboxStore {

    /** One stored message; {@code content} is sealed, and null once its retention ended. */
    record Row(
            String accountId,
            String messageId,
            String subjectId,
            String keyId,
            MessageKind kind,
            String purpose,
            byte[] content,
            OutboxStatus status,
            int attempts,
            String lastError,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant sentAt) {}

    /** A message by its ids. */
    record Ref(String accountId, String messageId) {}

    private final Dialect dialect;

    JdbcOutboxStore(Dialect dialect) {
        this.dialect = dialect;
    }

    void insert(Handle h, Row row) {
        h.createUpdate("""
                        insert into outbox (account_id, message_id, subject_id, key_id, kind, purpose, content, status,
                                            attempts, created_at, next_attempt_at)
                        values (:account, :message, :subject, :key, :kind, :purpose, :content, 'pending', 0, :at, :at)
                        """)
                .bind("account", row.accountId())
                .bind("message", row.messageId())
                .bind("subject", row.subjectId())
                .bind("key", row.keyId())
                .bind("kind", row.kind().wireName())
                .bind("purpose", row.purpose())
                .bind("content", row.content())
                .bind("at", utc(row.createdAt()))
                .execute();
    }

    /**
     * Pending messages due now and not claimed by a run in progress, oldest first. On PostgreSQL
     * rows another run is claiming are skipped rather than waited for; {@link #claim} decides on
     * both engines.
     */
    List<Ref> due(Handle h, Instant now, int limit, boolean emails) {
        String lock = dialect == Dialect.POSTGRESQL ? " for update skip locked" : "";
        return h.createQuery("""
                        select account_id, message_id from outbox
                        where status = 'pending' and next_attempt_at <= :now
                          and (claimed_until is null or claimed_until <= :now)
                          and (kind = 'webhook' or :emails)
                        order by next_attempt_at, message_id
                        limit :limit""" + lock)
                .bind("emails", emails)
                .bind("now", utc(now))
                .bind("limit", limit)
                .map((rs, ctx) -> new Ref(rs.getString("account_id"), rs.getString("message_id")))
                .list();
    }

    /**
     * Claims a due message until {@code until}: a compare-and-set, so of two runs that saw it due
     * only one claims it (the other's update finds the claim and changes nothing).
     */
    boolean claim(Handle h, Ref ref, Instant now, Instant until) {
        return h.createUpdate("""
                                update outbox set claimed_until = :until
                                where account_id = :account and message_id = :message and status = 'pending'
                                  and next_attempt_at <= :now and (claimed_until is null or claimed_until <= :now)
                                """)
                        .bind("account", ref.accountId())
                        .bind("message", ref.messageId())
                        .bind("now", utc(now))
                        .bind("until", utc(until))
                        .execute()
                == 1;
    }

    Optional<Row> find(Handle h, String accountId, String messageId) {
        return h.createQuery("select * from outbox where account_id = :account and message_id = :message")
                .bind("account", accountId)
                .bind("message", messageId)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    void sent(Handle h, Ref ref, int attempts, Instant at) {
        h.createUpdate("""
                        update outbox set status = 'sent', attempts = :attempts, sent_at = :at, last_error = null,
                                          claimed_until = null
                        where account_id = :account and message_id = :message
                        """)
                .bind("account", ref.accountId())
                .bind("message", ref.messageId())
                .bind("attempts", attempts)
                .bind("at", utc(at))
                .execute();
    }

    /** Records a failed attempt: pending again at {@code next}, or failed for good. */
    void attemptFailed(Handle h, Ref ref, int attempts, String error, OutboxStatus status, Instant next) {
        h.createUpdate("""
                        update outbox set status = :status, attempts = :attempts, last_error = :error,
                                          next_attempt_at = :next, claimed_until = null
                        where account_id = :account and message_id = :message
                        """)
                .bind("account", ref.accountId())
                .bind("message", ref.messageId())
                .bind("status", status.wireName())
                .bind("attempts", attempts)
                .bind("error", error)
                .bind("next", utc(next))
                .execute();
    }

    /** A failed message pending again, due at {@code due}, with a fresh series of attempts. */
    boolean retry(Handle h, String accountId, String messageId, Instant due) {
        return h.createUpdate("""
                                update outbox set status = 'pending', attempts = 0, next_attempt_at = :due,
                                                  claimed_until = null
                                where account_id = :account and message_id = :message and status = 'failed'
                                  and content is not null
                                """)
                        .bind("account", accountId)
                        .bind("message", messageId)
                        .bind("due", utc(due))
                        .execute()
                == 1;
    }

    /** The account's messages newest first, after a position, of one status or all. */
    List<Row> page(Handle h, String accountId, OutboxStatus status, Instant beforeAt, String beforeId, int limit) {
        var sql = new StringBuilder("select * from outbox where account_id = :account");
        if (status != null) sql.append(" and status = :status");
        if (beforeAt != null) {
            sql.append(" and (created_at < :at or (created_at = :at and message_id < :id))");
        }
        sql.append(" order by created_at desc, message_id desc limit :limit");
        var q = h.createQuery(sql.toString()).bind("account", accountId).bind("limit", limit);
        if (status != null) q.bind("status", status.wireName());
        if (beforeAt != null) q.bind("at", utc(beforeAt)).bind("id", beforeId);
        return q.map((rs, ctx) -> row(rs)).list();
    }

    /**
     * Drops the sealed content of messages sent before {@code sentBefore}, and of failed ones
     * created before {@code failedBefore}; returns how many.
     */
    int dropContent(Handle h, Instant sentBefore, Instant failedBefore) {
        return h.createUpdate("""
                        update outbox set content = null
                        where content is not null
                          and ((status = 'sent' and sent_at < :sent) or (status = 'failed' and created_at < :failed))
                        """)
                .bind("sent", utc(sentBefore))
                .bind("failed", utc(failedBefore))
                .execute();
    }

    long count(Handle h, OutboxStatus status) {
        return h.createQuery("select count(*) from outbox where status = :status")
                .bind("status", status.wireName())
                .mapTo(Long.class)
                .one();
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString("account_id"),
                rs.getString("message_id"),
                rs.getString("subject_id"),
                rs.getString("key_id"),
                MessageKind.fromWire(rs.getString("kind")),
                rs.getString("purpose"),
                rs.getBytes("content"),
                OutboxStatus.fromWire(rs.getString("status")),
                rs.getInt("attempts"),
                rs.getString("last_error"),
                instant(rs, "created_at"),
                instant(rs, "next_attempt_at"),
                instant(rs, "sent_at"));
    }
}
