package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Legal holds in SQL. */
public final class JdbcLegalHoldStore implements LegalHoldStore {

    @Override
    public void insert(Handle h, String accountId, LegalHold hold) {
        h.createUpdate("""
                        insert into legal_holds (account_id, hold_id, scope, subject_id, category, reason,
                                                 held_until, created_at, created_by)
                        values (:account, :id, :scope, :subject, :category, :reason, :until, :at, :by)
                        """)
                .bind("account", accountId)
                .bind("id", hold.holdId())
                .bind("scope", hold.scope().wireName())
                .bind("subject", hold.subjectId())
                .bind("category", hold.category())
                .bind("reason", hold.reason())
                .bind("until", hold.until() == null ? null : utc(hold.until()))
                .bind("at", utc(hold.createdAt()))
                .bind("by", hold.createdBy())
                .execute();
    }

    @Override
    public List<LegalHold> list(Handle h, String accountId, boolean released) {
        return h.createQuery("select * from legal_holds where account_id = :account"
                        + (released ? "" : " and released_at is null")
                        + " order by created_at desc, hold_id desc")
                .bind("account", accountId)
                .map(JdbcLegalHoldStore::hold)
                .list();
    }

    @Override
    public Optional<LegalHold> lock(Handle h, String accountId, String holdId) {
        return h.createQuery("select * from legal_holds where account_id = :account and hold_id = :id for update")
                .bind("account", accountId)
                .bind("id", holdId)
                .map(JdbcLegalHoldStore::hold)
                .findOne();
    }

    @Override
    public List<LegalHold> lockAll(Handle h, String accountId, java.util.Collection<String> holdIds) {
        if (holdIds.isEmpty()) return List.of();
        // rows are locked as the sorted result is read: in id order, as one lock at a time would
        return h.createQuery("select * from legal_holds where account_id = :account and hold_id in (<ids>)"
                        + " order by hold_id for update")
                .bind("account", accountId)
                .bindList("ids", dev.lethe.storage.Ids.uuids(new java.util.TreeSet<>(holdIds)))
                .map(JdbcLegalHoldStore::hold)
                .list();
    }

    @Override
    public void release(Handle h, String accountId, String holdId, Instant at, String by) {
        h.createUpdate("""
                        update legal_holds set released_at = :at, released_by = :by
                        where account_id = :account and hold_id = :id and released_at is null
                        """)
                .bind("account", accountId)
                .bind("id", holdId)
                .bind("at", utc(at))
                .bind("by", by)
                .execute();
    }

    private static LegalHold hold(ResultSet rs, StatementContext ctx) throws SQLException {
        return new LegalHold(
                rs.getString("hold_id"),
                LegalHold.Scope.fromWire(rs.getString("scope")),
                rs.getString("subject_id"),
                rs.getString("category"),
                rs.getString("reason"),
                rs.getObject("held_until") == null ? null : instant(rs, "held_until"),
                instant(rs, "created_at"),
                rs.getString("created_by"),
                rs.getObject("released_at") == null ? null : instant(rs, "released_at"),
                rs.getString("released_by"));
    }
}
