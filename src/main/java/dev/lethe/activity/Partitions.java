package dev.lethe.activity;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.storage.Dialect;
import java.time.Clock;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the monthly partitions of events ahead of time, off the ingest path: at start and then
 * daily (the job {@code event-partitions}, see {@code dev.lethe.Lethe}), the months from {@code
 * monthsBack} before the current one to {@code monthsAhead} after it. Creating a partition locks
 * the whole events table, so it must never queue behind a sweep's open delete while an ingest waits
 * behind it; here it happens once a month per month, with a short lock timeout (a failed run is
 * retried the next day, months before the partition is needed).
 *
 * <p>Idempotent and safe with several servers on one database: a run makes only the months that are
 * missing, under a transaction-scoped advisory lock. Ingest accepts event times only in the months
 * the last run made ({@link #accepted}), so no event needs a partition that does not exist; there
 * is no default partition. On H2 there are no partitions; the same months are accepted.
 */
public final class Partitions {

    /** Months made before the current one: how far in the past an event may be. */
    public static final int DEFAULT_MONTHS_BACK = 24;

    /** Months made after the current one: the slack if the daily run fails. */
    public static final int DEFAULT_MONTHS_AHEAD = 3;

    private static final Logger log = LoggerFactory.getLogger(Partitions.class);

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final Clock clock;
    private final int monthsBack;
    private final int monthsAhead;
    private volatile EventTimes made = EventTimes.NONE;

    public Partitions(Jdbi jdbi, Dialect dialect, Clock clock, int monthsBack, int monthsAhead) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.clock = clock;
        this.monthsBack = monthsBack;
        this.monthsAhead = monthsAhead;
    }

    /** Makes the missing months of the window around now; returns the months it made. */
    public List<YearMonth> prepare() {
        var window = EventTimes.around(clock.instant(), monthsBack, monthsAhead);
        List<YearMonth> created =
                dialect == Dialect.POSTGRESQL ? jdbi.inTransaction(h -> makeMissing(h, window)) : List.of();
        made = window;
        return created;
    }

    /** The event times ingest may store now: the current window, within the months made. */
    public EventTimes accepted() {
        return EventTimes.around(clock.instant(), monthsBack, monthsAhead).intersect(made);
    }

    private List<YearMonth> makeMissing(Handle h, EventTimes window) {
        // one server at a time per schema; the others find the months made when they get the lock
        h.execute("select pg_advisory_xact_lock(hashtext(current_schema() || '.events partitions'))");
        h.execute("set local lock_timeout = '5s'");
        Set<String> existing =
                new HashSet<>(h.createQuery("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        where i.inhparent = 'events'::regclass
                        """).mapTo(String.class).list());
        var missing = window.months().stream()
                .filter(m -> !existing.contains(name(m)))
                .toList();
        for (var month : missing) {
            h.execute("create table " + name(month) + " partition of events for values from ('"
                    + EventTimes.startOf(month) + "') to ('" + EventTimes.startOf(month.plusMonths(1)) + "')");
        }
        return missing;
    }

    /** The partition of one month: events_yYYYYmMM. */
    public static String name(YearMonth month) {
        return "events_y%04dm%02d".formatted(month.getYear(), month.getMonthValue());
    }

    /**
     * The daily run: {@link #prepare}, saying which months it made. A failure is the job's to log and
     * retry the next day; until then the {@code monthsAhead} months made before are the slack.
     */
    public void prepareDaily() {
        var created = prepare();
        if (!created.isEmpty()) log.info("made event partitions {}", kv("months", created.toString()));
    }
}
