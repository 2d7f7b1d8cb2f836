package dev.lethe.cli;

import dev.lethe.Lethe;
import dev.lethe.activity.Partitions;
import dev.lethe.audit.Actor;
import dev.lethe.retention.SweepReport;
import dev.lethe.storage.DatabaseSettings;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * {@code lethe bench --sweep-events N}: what expiring events costs on PostgreSQL, in one run, beside
 * what the database itself can do. Expired events with one personal value each are loaded straight
 * into their month's partition with {@code generate_series} (setup is not measured), then: a live
 * sweep of a month that another account shares (so it goes by the row path, batches of 1,000), a
 * live sweep of a month that only the swept account holds (taken whole by {@code MonthDrops}), a
 * plain range {@code DELETE} of as many events and values by their rule index, and a {@code DROP
 * TABLE} of a partition of as many events. Ingest over HTTP is measured alone and during each sweep.
 * The batch selects' plans are printed with and without the order of their index, on the loaded
 * tables.
 */
final class SweepBench {

    /** Sends {@code events} events over HTTP; returns events per second. */
    interface Ingest {
        double send(int events, int round) throws Exception;
    }

    /** Events per ingest call during a measurement: small enough to stop close to a sweep's end. */
    private static final int CHUNK = 1000;

    private final PrintWriter out;
    private final DatabaseSettings settings;
    private final Lethe lethe;
    private final Ingest ingest;
    private final UUID account;
    private final byte[] ciphertext = new byte[70];
    private int round = 1000;

    SweepBench(PrintWriter out, DatabaseSettings settings, Lethe lethe, Ingest ingest, String accountId) {
        this.out = out;
        this.settings = settings;
        this.lethe = lethe;
        this.ingest = ingest;
        this.account = UUID.fromString(accountId);
        new SecureRandom().nextBytes(ciphertext);
    }

    void run(int rowEvents, int monthEvents) throws Exception {
        // months more than a year old, inside the window of months kept: a sweep empties them
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        YearMonth rowMonth = now.minusMonths(22);
        YearMonth wholeMonth = now.minusMonths(21);
        YearMonth deleteMonth = now.minusMonths(20);
        YearMonth dropMonth = now.minusMonths(19);
        try (var c = connect()) {
            long t0 = System.nanoTime();
            load(c, rowMonth, rowEvents, true);
            // another account's event shares the month, so it cannot go whole: the row path takes it
            try (var s = c.prepareStatement(
                    "insert into events (account_id, occurred_at, event_id, subject_id, type, received_at, rule_kind,"
                            + " anchor_at) values (?, ?, ?, ?, 'page_view', now(), 'event', ?)")) {
                var at = java.sql.Timestamp.from(start(rowMonth).plusSeconds(60));
                s.setObject(1, new UUID(7, 7));
                s.setTimestamp(2, at);
                s.setObject(3, UUID.randomUUID());
                s.setObject(4, UUID.randomUUID());
                s.setTimestamp(5, at);
                s.executeUpdate();
            }
            analyze(c);
            out.printf("setup: %,d expired events with one value each loaded in %.0f s%n", rowEvents, seconds(t0));
        }

        double alone1 = ingestFor(Duration.ofSeconds(10));
        var row = sweepWithIngest();
        out.printf(
                "(1) row path: live sweep of %,d expired events + %,d values (batches of 1,000): %.1f s, %,.0f events/s;"
                        + " report: events %,d, derived %,d%n",
                rowEvents, rowEvents, row.seconds, rowEvents / row.seconds, row.eventsAffected, row.eventsDerived);
        out.printf(
                "(5) ingest during the row-path sweep: %,.0f events/s; alone just before: %,.0f events/s; ratio %.2f%n",
                row.ingestRate, alone1, row.ingestRate / alone1);

        try (var c = connect()) {
            long t0 = System.nanoTime();
            load(c, wholeMonth, monthEvents, true);
            analyze(c);
            out.printf("setup: %,d expired events with one value each loaded in %.0f s%n", monthEvents, seconds(t0));
            plans(c, wholeMonth);
        }
        double alone2 = ingestFor(Duration.ofSeconds(10));
        var whole = sweepWithIngest();
        out.printf(
                "(2) month path: live sweep of %,d expired events + %,d values in a month of their own: %.1f s,"
                        + " %,.0f events/s; report: events %,d, derived %,d%n",
                monthEvents,
                monthEvents,
                whole.seconds,
                monthEvents / whole.seconds,
                whole.eventsAffected,
                whole.eventsDerived);
        out.printf(
                "(5) ingest during the month-path sweep: %,.0f events/s; alone just before: %,.0f events/s; ratio %.2f%n",
                whole.ingestRate, alone2, whole.ingestRate / alone2);

        try (var c = connect()) {
            load(c, deleteMonth, monthEvents, true);
            load(c, dropMonth, monthEvents, false);
            analyze(c);
            var from = java.sql.Timestamp.from(start(deleteMonth));
            var to = java.sql.Timestamp.from(start(deleteMonth.plusMonths(1)));
            double events = timed(
                    c,
                    "delete from events where account_id = ? and rule_kind = 'event'"
                            + " and anchor_at >= ? and anchor_at < ?",
                    from,
                    to);
            double values = timed(
                    c,
                    "delete from personal_values where account_id = ? and rule_kind = 'event'"
                            + " and anchor_at >= ? and anchor_at < ?",
                    from,
                    to);
            out.printf(
                    "(3) plain DELETE by the rule index: %,d events %.1f s, %,d values %.1f s, together %.1f s%n",
                    monthEvents, events, monthEvents, values, events + values);
            long t = System.nanoTime();
            try (var s = c.createStatement()) {
                s.execute("drop table " + Partitions.name(dropMonth));
            }
            out.printf("(4) DROP TABLE of a partition of %,d events: %.3f s%n", monthEvents, seconds(t));
        }
    }

    /** What one live sweep took, what it reported, and the ingest rate while it ran. */
    private record Swept(double seconds, long eventsAffected, long eventsDerived, double ingestRate) {}

    private Swept sweepWithIngest() throws Exception {
        var sweep = CompletableFuture.supplyAsync(() -> {
            long t = System.nanoTime();
            SweepReport report = lethe.sweeps().sweep(account.toString(), new Actor("bench", null));
            return new Object[] {seconds(t), report};
        });
        long sent = 0;
        long t = System.nanoTime();
        while (!sweep.isDone()) {
            ingest.send(CHUNK, round++);
            sent += CHUNK;
        }
        double rate = sent / seconds(t);
        var done = sweep.get();
        var report = (SweepReport) done[1];
        var events = report.rules().stream()
                .filter(r -> r.rule().equals("records.event"))
                .findFirst()
                .orElseThrow();
        return new Swept((double) done[0], events.affected(), events.derived(), rate);
    }

    private double ingestFor(Duration d) throws Exception {
        long sent = 0;
        long t = System.nanoTime();
        while (System.nanoTime() - t < d.toNanos()) {
            ingest.send(CHUNK, round++);
            sent += CHUNK;
        }
        return sent / seconds(t);
    }

    /**
     * Loads {@code n} events of the bench account's rule {@code event} spread over {@code month},
     * each with one value of the event's rule and anchor (as ingest stores them), a million per
     * transaction.
     */
    private void load(Connection c, YearMonth month, int n, boolean values) throws SQLException {
        long micros = Duration.between(start(month), start(month.plusMonths(1))).toNanos() / 1000;
        long step = Math.max(1, micros / Math.max(1, n));
        String events = """
                insert into events (account_id, occurred_at, event_id, subject_id, type, received_at, rule_kind, anchor_at)
                select ?, t, (? || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, s, 'page_view', t, 'event', t
                from (select i, ?::timestamptz + (i * ?::bigint) * interval '1 microsecond' as t,
                             ('00000000-0000-4000-8000-' || lpad((i % 2000)::text, 12, '0'))::uuid as s
                      from generate_series(?::bigint, ?::bigint - 1) i) g
                """;
        String sql = values ? """
                with e as (%s returning event_id, occurred_at, subject_id)
                insert into personal_values (account_id, category, collected_at, value_id, subject_id, field,
                                             record_kind, record_id, ciphertext, key_id, rule_kind, anchor_at)
                select ?, 'visit_history', occurred_at, (? || substr(event_id::text, 9))::uuid, subject_id,
                       'context.url', 'event', event_id, ?, ?, 'event', occurred_at
                from e
                """.formatted(events) : events;
        UUID key = UUID.randomUUID();
        // ids ordered like the uuid version 7 ids Lethe makes (time first): index inserts append
        String eventPrefix = "%04x%04x".formatted(month.getYear(), month.getMonthValue());
        String valuePrefix = "%04x%04x".formatted(month.getYear(), 0x100 + month.getMonthValue());
        for (long from = 0; from < n; from += 1_000_000) {
            try (var s = c.prepareStatement(sql)) {
                s.setObject(1, account);
                s.setString(2, eventPrefix);
                s.setTimestamp(3, java.sql.Timestamp.from(start(month)));
                s.setLong(4, step);
                s.setLong(5, from);
                s.setLong(6, Math.min(n, from + 1_000_000));
                if (values) {
                    s.setObject(7, account);
                    s.setString(8, valuePrefix);
                    s.setBytes(9, ciphertext);
                    s.setObject(10, key);
                }
                s.executeUpdate();
            }
        }
    }

    /**
     * The plans of the sweep's batch selects on the loaded tables, as {@code Sweeper} wrote them
     * before (no order) and writes them now (in the order of the index's range column).
     */
    private void plans(Connection c, YearMonth month) throws SQLException {
        // the first day of the month: a thirtieth of its rows
        var cut = java.sql.Timestamp.from(start(month).plus(Duration.ofDays(1)));
        var selects = List.of(
                "select occurred_at, event_id from events where account_id = ? and rule_kind = 'event'"
                        + " and anchor_at < ?",
                "select category, collected_at, value_id from personal_values where account_id = ?"
                        + " and rule_kind = 'event' and anchor_at < ?",
                "select category, collected_at, value_id from personal_values where account_id = ?"
                        + " and category = 'visit_history' and collected_at < ?");
        var orders = List.of("anchor_at", "anchor_at", "collected_at");
        for (int i = 0; i < selects.size(); i++) {
            for (String order : new String[] {"", " order by " + orders.get(i)}) {
                String sql = selects.get(i) + order + " limit 1000";
                var lines = new ArrayList<String>();
                // twice, the second one shown: both variants measured with the pages they read cached
                for (int pass = 0; pass < 2; pass++) {
                    lines.clear();
                    try (var s = c.prepareStatement("explain (analyze, costs off) " + sql)) {
                        s.setObject(1, account);
                        s.setTimestamp(2, cut);
                        try (var rs = s.executeQuery()) {
                            // the plan's nodes that ran and found rows, and the time
                            while (rs.next()) {
                                String line = rs.getString(1);
                                if ((line.contains("actual time=") && !line.contains("rows=0 loops"))
                                        || line.contains("Execution Time")) lines.add(line);
                            }
                        }
                    }
                }
                out.println("plan: " + sql);
                lines.forEach(l -> out.println("    " + l));
            }
        }
    }

    private double timed(Connection c, String sql, java.sql.Timestamp from, java.sql.Timestamp to) throws SQLException {
        try (var s = c.prepareStatement(sql)) {
            s.setObject(1, account);
            s.setTimestamp(2, from);
            s.setTimestamp(3, to);
            long t = System.nanoTime();
            s.executeUpdate();
            return seconds(t);
        }
    }

    private static void analyze(Connection c) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute("analyze events, personal_values, goal_hits");
        }
    }

    private Connection connect() throws SQLException {
        return settings.user() == null
                ? DriverManager.getConnection(settings.url())
                : DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
