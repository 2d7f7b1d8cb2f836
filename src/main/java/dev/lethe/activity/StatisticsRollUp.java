package dev.lethe.activity;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job that folds count deltas into daily totals, a group of deltas per short transaction, so
 * the delta table stays small and reads stay cheap. Safe with several server instances: each
 * group's deltas are locked while they are added and deleted.
 */
public final class StatisticsRollUp implements AutoCloseable {

    /** Deltas folded per transaction. */
    static final int GROUP = 10_000;

    private static final Logger log = LoggerFactory.getLogger(StatisticsRollUp.class);

    private final Jdbi jdbi;
    private final StatisticsStore store;
    private ScheduledExecutorService schedule;

    public StatisticsRollUp(Jdbi jdbi, StatisticsStore store) {
        this.jdbi = jdbi;
        this.store = store;
    }

    /** Folds every account's deltas; returns how many were folded. */
    public long rollUpAll() {
        long total = 0;
        for (String accountId : jdbi.withHandle(store::accountsWithDeltas)) total += rollUp(accountId);
        return total;
    }

    /** Folds one account's deltas; returns how many were folded. */
    public long rollUp(String accountId) {
        long total = 0;
        while (true) {
            int folded = jdbi.inTransaction(h -> store.rollUp(h, accountId, GROUP));
            total += folded;
            if (folded < GROUP) return total;
        }
    }

    /** Runs {@link #rollUpAll} in the background every {@code period}. */
    public synchronized void runEvery(Duration period) {
        if (schedule != null) return;
        schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "lethe-statistics-roll-up");
            t.setDaemon(true);
            return t;
        });
        schedule.scheduleWithFixedDelay(
                () -> {
                    try {
                        rollUpAll();
                    } catch (RuntimeException e) {
                        // The deltas stay and are still counted by reads; the next run folds them.
                        log.warn("could not roll up daily counts", e);
                    }
                },
                period.toMillis(),
                period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (schedule != null) schedule.shutdownNow();
    }
}
