package dev.lethe.audit;

import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** The audit logs in SQL. */
public final class JdbcAuditStore implements AuditStore {

    @Override
    public void createChain(Handle h, String accountId) {
        h.createUpdate("""
            insert into audit_heads (account_id, seq, hash) values (:account, 0, :hash)
            """)
                .bind("account", accountId)
                .bind("hash", ChainHead.GENESIS.hash())
                .execute();
    }

    @Override
    public void insertPending(Handle h, AuditEntry e) {
        insertPendingAll(h, List.of(e));
    }

    @Override
    public void insertPendingAll(Handle h, List<AuditEntry> entries) {
        if (entries.isEmpty()) return;
        // one JDBC batch: the entries are written in their order, as one insert each would
        var batch = h.prepareBatch("""
            insert into audit_log
              (account_id, entry_id, at, actor, source, action, targets, outcome, detail, seal)
            values
              (:account, :entry, :at, :actor, :source, :action, :targets, :outcome, :detail, :seal)
            """);
        for (var e : entries)
            batch.bind("account", e.accountId())
                    .bind("entry", e.entryId())
                    .bind("at", utc(e.at()))
                    .bind("actor", e.actor())
                    .bind("source", e.source())
                    .bind("action", e.action())
                    .bind("targets", e.targets())
                    .bind("outcome", e.outcome())
                    .bind("detail", e.detail())
                    .bind("seal", e.seal())
                    .add();
        batch.execute();
    }

    @Override
    public ChainHead lockHead(Handle h, String accountId) {
        return h.createQuery("""
            select seq, hash from audit_heads where account_id = :account for update
            """)
                .bind("account", accountId)
                .map((rs, ctx) -> new ChainHead(rs.getLong("seq"), rs.getString("hash")))
                .findOne()
                .orElseThrow(() -> new IllegalStateException("no audit chain for account " + accountId));
    }

    @Override
    public List<AuditEntry> pending(Handle h, String accountId, int limit) {
        return h.createQuery("""
            select * from audit_log
            where account_id = :account and seq is null and refused_at is null
            order by written_no
            limit :limit
            """)
                .bind("account", accountId)
                .bind("limit", limit)
                .map(JdbcAuditStore::entry)
                .list();
    }

    @Override
    public void chain(Handle h, List<AuditEntry> chained) {
        if (chained.isEmpty()) return;
        var batch = h.prepareBatch("""
            update audit_log set seq = :seq, prev_hash = :prev, hash = :hash
            where account_id = :account and entry_id = :entry and seq is null
            """);
        for (var e : chained) {
            batch.bind("account", e.accountId())
                    .bind("entry", e.entryId())
                    .bind("seq", e.seq())
                    .bind("prev", e.prevHash())
                    .bind("hash", e.hash())
                    .add();
        }
        int[] counts = batch.execute();
        for (int c : counts) {
            // Under the head lock no other chainer runs: an entry that is gone or chained meanwhile
            // was changed by hand; fail the pass rather than leave a gap.
            if (c != 1 && c != Statement.SUCCESS_NO_INFO) {
                throw new IllegalStateException("a pending audit entry changed while it was being chained");
            }
        }
    }

    @Override
    public void refuse(Handle h, String accountId, String entryId, Instant at) {
        h.createUpdate("""
            update audit_log set refused_at = :at
            where account_id = :account and entry_id = :entry and seq is null
            """)
                .bind("account", accountId)
                .bind("entry", entryId)
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public void moveHead(Handle h, String accountId, ChainHead head) {
        h.createUpdate("""
            update audit_heads set seq = :seq, hash = :hash where account_id = :account
            """)
                .bind("account", accountId)
                .bind("seq", head.seq())
                .bind("hash", head.hash())
                .execute();
    }

    @Override
    public List<AuditEntry> find(Handle h, String accountId, AuditQuery q) {
        return h.createQuery("""
            select * from audit_log
            where account_id = :account
              and seq > :after
              and (cast(:from as timestamp with time zone) is null or at >= :from)
              and (cast(:to as timestamp with time zone) is null or at < :to)
              and (cast(:actor as varchar) is null or actor = :actor)
              and (cast(:action as varchar) is null or action = :action)
              and (cast(:target as varchar) is null or targets like :targetPattern)
            order by seq
            limit :limit
            """)
                .bind("account", accountId)
                .bind("after", q.afterSeq())
                .bind("from", utc(q.from()))
                .bind("to", utc(q.to()))
                .bind("actor", q.actor())
                .bind("action", q.action())
                .bind("target", q.target())
                .bind("targetPattern", q.target() == null ? null : "%\"" + likeEscaped(q.target()) + "\"%")
                .bind("limit", q.limit())
                .map(JdbcAuditStore::entry)
                .list();
    }

    @Override
    public void forEachInOrder(Handle h, String accountId, Consumer<AuditEntry> sink) {
        try (var rows = h
                .createQuery("select * from audit_log where account_id = :account and seq is not null order by seq")
                .bind("account", accountId)
                .setFetchSize(500)
                .map(JdbcAuditStore::entry)
                .stream()) {
            rows.forEach(sink);
        }
    }

    @Override
    public void forEachUnchained(Handle h, String accountId, Consumer<Unchained> sink) {
        try (var rows = h
                .createQuery("select * from audit_log where account_id = :account and seq is null order by written_no")
                .bind("account", accountId)
                .setFetchSize(500)
                .map((rs, ctx) -> {
                    var refused = rs.getObject("refused_at", OffsetDateTime.class);
                    return new Unchained(entry(rs, ctx), refused == null ? null : refused.toInstant());
                })
                .stream()) {
            rows.forEach(sink);
        }
    }

    @Override
    public long countPastHead(Handle h, String accountId) {
        // one statement, so the head and the entries are read at the same moment
        return h.createQuery("""
                        select count(*) from audit_log l
                        where l.account_id = :account
                          and l.seq > (select d.seq from audit_heads d where d.account_id = :account)
                        """).bind("account", accountId).mapTo(Long.class).one();
    }

    @Override
    public Optional<ChainHead> head(Handle h, String accountId) {
        return h.createQuery("select seq, hash from audit_heads where account_id = :account")
                .bind("account", accountId)
                .map((rs, ctx) -> new ChainHead(rs.getLong("seq"), rs.getString("hash")))
                .findOne();
    }

    @Override
    public List<String> chainOwners(Handle h) {
        return h.createQuery("""
                        select account_id from accounts
                        union
                        select account_id from audit_heads
                        union
                        select distinct account_id from audit_log
                        order by 1
                        """).mapTo(String.class).list();
    }

    @Override
    public List<String> accountsWithPending(Handle h) {
        // One probe of (account_id, seq) per account: no index over every entry for this alone.
        return h.createQuery("""
                        select a.account_id from accounts a
                        where exists (select 1 from audit_log l
                                      where l.account_id = a.account_id and l.seq is null and l.refused_at is null)
                        order by 1
                        """).mapTo(String.class).list();
    }

    @Override
    public Optional<byte[]> key(Handle h, String accountId) {
        return h.createQuery("select wrapped from audit_keys where account_id = :account")
                .bind("account", accountId)
                .mapTo(byte[].class)
                .findOne();
    }

    @Override
    public void insertKey(Handle h, String accountId, byte[] wrapped, Instant at) {
        h.createUpdate("""
            insert into audit_keys (account_id, wrapped, created_at) values (:account, :wrapped, :at)
            """)
                .bind("account", accountId)
                .bind("wrapped", wrapped)
                .bind("at", utc(at))
                .execute();
    }

    private static AuditEntry entry(ResultSet rs, StatementContext ctx) throws SQLException {
        long number = rs.getLong("seq");
        Long seq = rs.wasNull() ? null : number;
        return new AuditEntry(
                rs.getString("account_id"),
                rs.getString("entry_id"),
                seq,
                rs.getObject("at", OffsetDateTime.class).toInstant(),
                rs.getString("actor"),
                rs.getString("source"),
                rs.getString("action"),
                rs.getString("targets"),
                rs.getString("outcome"),
                rs.getString("detail"),
                rs.getString("seal"),
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    private static String likeEscaped(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
