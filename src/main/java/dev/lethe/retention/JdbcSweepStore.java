package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Sweeps, their per-rule counts and the per-account sweep lease, in SQL. */
final class JdbcSweepStore {

    void insert(
            Handle h, String accountId, String sweepId, Instant asOf, Instant startedAt, String by, Integer policy) {
        h.createUpdate("""
                        insert into sweeps (account_id, sweep_id, status, as_of, started_at, started_by, policy_version)
                        values (:account, :sweep, 'running', :asOf, :at, :by, :policy)
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("asOf", utc(asOf))
                .bind("at", utc(startedAt))
                .bind("by", by)
                .bind("policy", policy)
                .execute();
    }

    void finish(Handle h, String accountId, String sweepId, String status, Instant at, String error) {
        h.createUpdate("""
                        update sweeps set status = :status, finished_at = :at, error = :error
                        where account_id = :account and sweep_id = :sweep
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("status", status)
                .bind("at", utc(at))
                .bind("error", error)
                .execute();
    }

    /** Adds a batch's counts to a rule's row, in the batch's transaction. */
    void add(
            Handle h,
            String accountId,
            String sweepId,
            int position,
            String rule,
            String action,
            long affected,
            long derived,
            long held,
            long millis) {
        int updated = h.createUpdate("""
                        update sweep_rules
                        set affected = affected + :affected, derived = derived + :derived, held = held + :held,
                            millis = millis + :millis
                        where account_id = :account and sweep_id = :sweep and rule = :rule
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("rule", rule)
                .bind("affected", affected)
                .bind("derived", derived)
                .bind("held", held)
                .bind("millis", millis)
                .execute();
        if (updated > 0) return;
        h.createUpdate("""
                        insert into sweep_rules (account_id, sweep_id, position, rule, action, affected, derived, held, millis)
                        values (:account, :sweep, :position, :rule, :action, :affected, :derived, :held, :millis)
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("position", position)
                .bind("rule", rule)
                .bind("action", action)
                .bind("affected", affected)
                .bind("derived", derived)
                .bind("held", held)
                .bind("millis", millis)
                .execute();
    }

    void addHeld(Handle h, String accountId, String sweepId, String rule, String holdId, long rows) {
        int updated = h.createUpdate("""
                        update sweep_holds set held = held + :rows
                        where account_id = :account and sweep_id = :sweep and rule = :rule and hold_id = :hold
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("rule", rule)
                .bind("hold", holdId)
                .bind("rows", rows)
                .execute();
        if (updated > 0) return;
        h.createUpdate("""
                        insert into sweep_holds (account_id, sweep_id, rule, hold_id, held)
                        values (:account, :sweep, :rule, :hold, :rows)
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("rule", rule)
                .bind("hold", holdId)
                .bind("rows", rows)
                .execute();
    }

    /** A sweep's row as stored; rules come from {@link #rules}. */
    record Row(
            String sweepId,
            String status,
            Instant asOf,
            Instant startedAt,
            Instant finishedAt,
            String startedBy,
            Integer policyVersion,
            String error) {}

    Optional<Row> find(Handle h, String accountId, String sweepId) {
        return h.createQuery("select * from sweeps where account_id = :account and sweep_id = :sweep")
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .map(JdbcSweepStore::row)
                .findOne();
    }

    /** The newest sweeps first, those started before {@code before} when given. */
    List<Row> list(Handle h, String accountId, Instant before, String beforeId, int limit) {
        String page =
                before == null ? "" : " and (started_at < :before or (started_at = :before and sweep_id < :beforeId))";
        var q = h.createQuery("select * from sweeps where account_id = :account" + page
                        + " order by started_at desc, sweep_id desc limit " + limit)
                .bind("account", accountId);
        if (before != null) q.bind("before", utc(before)).bind("beforeId", beforeId);
        return q.map(JdbcSweepStore::row).list();
    }

    /** Each rule's counts in a sweep, in the order the sweep applied them. */
    List<SweepReport.RuleReport> rules(Handle h, String accountId, String sweepId) {
        var held = new LinkedHashMap<String, List<SweepReport.HeldBy>>();
        h.createQuery("""
                        select rule, hold_id, held from sweep_holds
                        where account_id = :account and sweep_id = :sweep order by rule, hold_id
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .map((rs, ctx) -> Map.entry(
                        rs.getString("rule"), new SweepReport.HeldBy(rs.getString("hold_id"), rs.getLong("held"))))
                .forEach(e ->
                        held.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return h.createQuery("""
                        select * from sweep_rules where account_id = :account and sweep_id = :sweep
                        order by position, rule
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .map((rs, ctx) -> new SweepReport.RuleReport(
                        rs.getString("rule"),
                        rs.getString("action"),
                        rs.getLong("affected"),
                        rs.getLong("derived"),
                        rs.getLong("held"),
                        held.getOrDefault(rs.getString("rule"), List.of()),
                        rs.getLong("millis")))
                .list();
    }

    /** When each account's last successful sweep finished. */
    Map<String, Instant> lastSuccesses(Handle h) {
        var out = new LinkedHashMap<String, Instant>();
        h.createQuery(
                        "select account_id, max(finished_at) as at from sweeps where status = 'succeeded' group by account_id")
                .map((rs, ctx) -> Map.entry(rs.getString(1), instant(rs, "at")))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Takes the account's sweep lease for {@code sweepId} until {@code until}, unless another sweep
     * holds it unexpired. Returns the sweep that held it before (expired: a server stopped in the
     * middle of it), or empty; throws {@link Busy} when it is held.
     */
    Optional<String> acquire(Handle h, String accountId, String sweepId, Instant now, Instant until) {
        h.createUpdate("insert into sweep_leases (account_id) values (:account) on conflict do nothing")
                .bind("account", accountId)
                .execute();
        var lease = h.createQuery(
                        "select sweep_id, expires_at from sweep_leases where account_id = :account for update")
                .bind("account", accountId)
                .map((rs, ctx) -> new String[] {rs.getString("sweep_id"), String.valueOf(instant(rs, "expires_at"))})
                .one();
        String previous = lease[0];
        if (previous != null && Instant.parse(lease[1]).isAfter(now)) throw new Busy(previous);
        h.createUpdate("update sweep_leases set sweep_id = :sweep, expires_at = :until where account_id = :account")
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("until", utc(until))
                .execute();
        return Optional.ofNullable(previous);
    }

    /** Extends the lease; false when this sweep no longer holds it. */
    boolean renew(Handle h, String accountId, String sweepId, Instant until) {
        return h.createUpdate(
                                "update sweep_leases set expires_at = :until where account_id = :account and sweep_id = :sweep")
                        .bind("account", accountId)
                        .bind("sweep", sweepId)
                        .bind("until", utc(until))
                        .execute()
                > 0;
    }

    void release(Handle h, String accountId, String sweepId) {
        h.createUpdate(
                        "update sweep_leases set sweep_id = null, expires_at = null where account_id = :account and sweep_id = :sweep")
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .execute();
    }

    /** Marks a sweep that was running when its server stopped. */
    void interrupted(Handle h, String accountId, String sweepId, Instant at) {
        h.createUpdate("""
                        update sweeps set status = 'interrupted', finished_at = :at,
                               error = 'the server stopped during the sweep; the next sweep finished its work'
                        where account_id = :account and sweep_id = :sweep and status = 'running'
                        """)
                .bind("account", accountId)
                .bind("sweep", sweepId)
                .bind("at", utc(at))
                .execute();
    }

    /** Another sweep of the account holds the lease. */
    static final class Busy extends RuntimeException {
        final String sweepId;

        Busy(String sweepId) {
            super("a sweep of this account is running: " + sweepId);
            this.sweepId = sweepId;
        }
    }

    private static Row row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        int policy = rs.getInt("policy_version");
        return new Row(
                rs.getString("sweep_id"),
                rs.getString("status"),
                instant(rs, "as_of"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                rs.getString("started_by"),
                rs.wasNull() ? null : policy,
                rs.getString("error"));
    }
}
