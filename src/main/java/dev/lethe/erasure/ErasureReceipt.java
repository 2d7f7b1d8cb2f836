package dev.lethe.erasure;

import java.time.Instant;
import java.util.List;

/**
 * What an erasure did, for the person and for the account's records: every table that can hold a
 * person ({@code SubjectTable}) with the rows the person had there when the erasure took effect
 * (all deleted by the purge, except what a table or a legal hold keeps, each with its reason), and
 * the categories a legal hold kept and those a retention rule {@code after: erased} keeps for a
 * while. Ids, counts, the hold's reason and the rule's path only: no personal value.
 * The counts are taken under the person's lock in the transaction that destroys the keys, so a
 * purge cut short by a crash and finished later reports exactly the same numbers.
 *
 * @param state {@link #SHREDDED} once the keys are destroyed (nothing of the person opens any
 *     more), {@link #PURGED} once the rows are deleted too
 * @param requestId the data-subject request the erasure answers, if one does
 * @param tables every table of the registry, in its order, zeros included
 * @param held categories kept under a legal hold: empty when nothing was held
 * @param kept categories a retention rule {@code after: erased} keeps until a date (a rule hold
 *     each): empty when no rule of the person's categories counts from their erasure
 * @param statistics what happened to the anonymous daily counts (they stay: they are nobody's)
 */
public record ErasureReceipt(
        String erasureId,
        String profileId,
        String requestId,
        Instant erasedAt,
        String state,
        Instant purgedAt,
        List<TableRows> tables,
        List<HeldCategory> held,
        List<KeptCategory> kept,
        String statistics) {

    public static final String SHREDDED = "shredded";
    public static final String PURGED = "purged";

    /** Anonymous daily counts are not the person's data. */
    static final String STATISTICS_KEPT = "kept: anonymous daily counts hold no person";

    public ErasureReceipt {
        tables = List.copyOf(tables);
        held = List.copyOf(held);
        kept = kept == null ? List.of() : List.copyOf(kept);
    }

    /**
     * One table: the rows the person had in it, and why they were kept when they were.
     *
     * @param keptBecause null when the rows are deleted
     */
    public record TableRows(String table, String holds, int rows, String keptBecause) {}

    /** A category a legal hold kept: its values stay sealed and still open, through the hold's key. */
    public record HeldCategory(String category, String holdId, String reason, int values) {}

    /**
     * A category a retention rule {@code after: erased} keeps: its values stay sealed and open
     * through the rule hold's key until the sweep of {@code rule} removes them, with the key, once
     * {@code until} (the erasure plus the rule's period) has passed.
     */
    public record KeptCategory(String category, String rule, String holdId, int values, Instant until) {}
}
