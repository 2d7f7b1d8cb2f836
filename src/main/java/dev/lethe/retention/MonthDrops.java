package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.activity.EventTimes;
import dev.lethe.activity.Partitions;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Takes whole months of events at once on PostgreSQL, where events are partitioned by month
 * ({@link Partitions}): a month whose every row the row path would delete anyway is truncated (or,
 * before the window {@link Partitions} keeps, dropped) instead of being deleted a thousand rows at a
 * time. Issue 14: "drop (or detach) a partition only when nothing in it may live on for any account,
 * and range-delete otherwise".
 *
 * <p>A month is taken only when, under a {@code SHARE} lock on its partition (no row can arrive or
 * change meanwhile), every row in it belongs to the account being swept, is governed by the deleting
 * rule being applied ({@code rule_kind}), has its anchor inside the same expired range the row path
 * selects by, and belongs to no person a hold keeps; and the month lies whole inside that range. The
 * rows taken are then exactly those the row path would have deleted from that month, and are
 * counted as such (the count is taken under the lock). Their values and goal hits go first, in
 * the same transaction, each as one range delete of the rule's rows anchored in the month (an
 * event's values and hits carry its rule and anchor, see {@code TrackService}: the row path's range
 * of the rule takes the same rows). Months shared with another account are left to the row path,
 * even when the other account's rows have expired too: judging them would need every account's
 * policy and holds in one transaction.
 *
 * <p>A preview runs the same checks and truncates inside its rolled-back transaction (never drops:
 * that would lock the whole events table for the preview's length), so it counts the same. On H2
 * there are no partitions and this takes nothing.
 */
final class MonthDrops {

    private static final Pattern PARTITION = Pattern.compile("events_y(\\d{4})m(\\d{2})");

    private final int monthsBack;

    MonthDrops(int monthsBack) {
        this.monthsBack = monthsBack;
    }

    /** One month taken whole: the events in it, and their values and goal hits, which went first. */
    record Taken(YearMonth month, long events, long values, long goalHits, boolean dropped) {}

    /**
     * The months of event partitions lying whole inside one of {@code ranges}, oldest first, each
     * with that range; none on a database without partitions.
     */
    List<Map.Entry<YearMonth, Expiry.Range>> candidates(Handle h, List<Expiry.Range> ranges) {
        if (!postgres(h)) return List.of();
        return h.createQuery("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        where i.inhparent = to_regclass('events')
                        """).mapTo(String.class).stream()
                .map(PARTITION::matcher)
                .filter(java.util.regex.Matcher::matches)
                .map(m -> YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                .sorted()
                .flatMap(m -> rangeHolding(m, ranges).map(r -> Map.entry(m, r)).stream())
                .toList();
    }

    private static Optional<Expiry.Range> rangeHolding(YearMonth month, List<Expiry.Range> ranges) {
        Instant from = start(month);
        Instant to = start(month.plusMonths(1));
        return ranges.stream()
                .filter(r -> (r.from() == null || !r.from().isAfter(from)) && !to.isAfter(r.to()))
                .findFirst();
    }

    /**
     * Takes {@code month} if every row in it is one the rule deletes, in {@code h}'s transaction;
     * empty (nothing changed) otherwise, and the row path handles the month.
     */
    Optional<Taken> take(
            Handle h,
            String accountId,
            String rule,
            YearMonth month,
            Expiry.Range range,
            java.util.Set<String> heldSubjects,
            java.util.Set<String> heldCategories,
            boolean preview,
            Instant asOf) {
        String partition = Partitions.name(month);
        h.savepoint("month_drop");
        try {
            h.execute("set local lock_timeout = '2s'");
            // no row may arrive, change or go until commit; readers go on
            h.execute("lock table " + partition + " in share mode");
            if (!onlyRowsOf(h, partition, accountId, rule, range, heldSubjects)) {
                h.rollbackToSavepoint("month_drop");
                return Optional.empty();
            }
            long events = h.createQuery("select count(*) from " + partition)
                    .mapTo(Long.class)
                    .one();
            if (events == 0) {
                h.rollbackToSavepoint("month_drop");
                return Optional.empty();
            }
            // what the row path's range of the rule's values and goal hits holds in this month, at once
            var monthRange = List.of(new Expiry.Range(start(month), start(month.plusMonths(1))));
            var values = new Where(accountId)
                    .and("rule_kind = :rule", "rule", rule)
                    .within("anchor_at", monthRange)
                    .notIn("subject_id", heldSubjects, true)
                    .notIn("category", heldCategories, false);
            long valueRows = values.bind(h.createUpdate("delete from personal_values where " + values.sql()))
                    .execute();
            var hits = new Where(accountId)
                    .and("rule_kind = :rule", "rule", rule)
                    .within("anchor_at", monthRange)
                    .notIn("subject_id", heldSubjects, true);
            long goalHits = hits.bind(h.createUpdate("delete from goal_hits where " + hits.sql()))
                    .execute();
            boolean drop = !preview
                    && month.isBefore(EventTimes.around(asOf, monthsBack, 0).from());
            if (drop) drop = dropped(h, partition);
            if (!drop) h.execute("truncate table " + partition);
            h.execute("set local lock_timeout to default");
            h.release("month_drop");
            return Optional.of(new Taken(month, events, valueRows, goalHits, drop));
        } catch (RuntimeException e) {
            if (!lockTimeout(e)) throw e;
            // a long reader or writer of the month: the row path takes it instead
            h.rollbackToSavepoint("month_drop");
            return Optional.empty();
        }
    }

    /**
     * True when no row of the partition escapes the rule's condition: each check is an index range
     * (the primary key starts with the account, {@code events_by_rule} is account, rule, anchor,
     * {@code events_by_subject} account, subject), so a month of ten million rows is judged in
     * milliseconds.
     */
    private static boolean onlyRowsOf(
            Handle h,
            String partition,
            String accountId,
            String rule,
            Expiry.Range range,
            java.util.Set<String> heldSubjects) {
        var account = java.util.UUID.fromString(accountId);
        String p = "select exists (select 1 from " + partition + " where ";
        if (exists(h, p + "account_id < :a)", Map.of("a", account))) return false;
        if (exists(h, p + "account_id > :a)", Map.of("a", account))) return false;
        if (exists(h, p + "account_id = :a and rule_kind is null)", Map.of("a", account))) return false;
        if (exists(h, p + "account_id = :a and rule_kind < :r)", Map.of("a", account, "r", rule))) return false;
        if (exists(h, p + "account_id = :a and rule_kind > :r)", Map.of("a", account, "r", rule))) return false;
        if (exists(
                h,
                p + "account_id = :a and rule_kind = :r and anchor_at >= :to)",
                Map.of("a", account, "r", rule, "to", utc(range.to())))) return false;
        if (range.from() != null
                && exists(
                        h,
                        p + "account_id = :a and rule_kind = :r and anchor_at < :from)",
                        Map.of("a", account, "r", rule, "from", utc(range.from())))) return false;
        if (!heldSubjects.isEmpty()) {
            boolean held = h.createQuery(p + "account_id = :a and subject_id in (<held>))")
                    .bind("a", account)
                    .bindList("held", dev.lethe.storage.Ids.uuids(List.copyOf(heldSubjects)))
                    .mapTo(Boolean.class)
                    .one();
            if (held) return false;
        }
        return true;
    }

    /**
     * Drops the partition; false (nothing changed) if the events table, which a drop locks whole,
     * stayed busy past the lock timeout: the month is then truncated instead.
     */
    private static boolean dropped(Handle h, String partition) {
        h.savepoint("partition_drop");
        try {
            h.execute("drop table " + partition);
            h.release("partition_drop");
            return true;
        } catch (RuntimeException e) {
            if (!lockTimeout(e)) throw e;
            h.rollbackToSavepoint("partition_drop");
            return false;
        }
    }

    private static boolean exists(Handle h, String sql, Map<String, Object> binds) {
        var q = h.createQuery(sql);
        binds.forEach(q::bind);
        return q.mapTo(Boolean.class).one();
    }

    private static boolean lockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "55P03".equals(s.getSQLState())) return true;
        }
        return false;
    }

    private static boolean postgres(Handle h) {
        try {
            return "PostgreSQL".equals(h.getConnection().getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
