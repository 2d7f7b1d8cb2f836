package dev.lethe.activity;

import java.time.LocalDate;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Anonymous daily counts. A batch's counts are written as insert-only deltas, so concurrent batches
 * of one account never wait on one total row; {@link #rollUp} folds deltas into the totals later,
 * and reads add both. Methods run on the caller's handle.
 */
public interface StatisticsStore {

    /** Records each count as a delta to what is stored for its day, metric and dimension. */
    void add(Handle h, String accountId, List<DailyCount> counts);

    /** The counts of the days, totals and deltas not yet rolled up added together. */
    List<DailyCount> between(Handle h, String accountId, LocalDate from, LocalDate to);

    /**
     * Folds up to {@code limit} of the account's oldest deltas into its totals, in the caller's
     * transaction; returns how many were folded.
     */
    int rollUp(Handle h, String accountId, int limit);

    /** Accounts that have deltas to fold. */
    List<String> accountsWithDeltas(Handle h);
}
