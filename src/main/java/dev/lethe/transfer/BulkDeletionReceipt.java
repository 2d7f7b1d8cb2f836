package dev.lethe.transfer;

import java.time.Instant;
import java.util.Map;

/**
 * The one receipt of a bulk deletion: what every erasure it made did, summed (the per-person
 * erasure records stay, each with its own receipt at {@code GET /v1/erasures/{id}}). Ids and
 * counts only.
 *
 * @param jobId the bulk deletion's job
 * @param state the job's state (running, completed, cancelled…): counts so far until it ends
 * @param erased people this job erased
 * @param notFound identifiers that named nobody (each is an error of the job, with its row)
 * @param alreadyErased identifiers of people erased before this job
 * @param duplicates identifiers of a person this job had erased already (counted once, in erased)
 * @param tables every table of the erasure registry with the rows the erased people had there
 * @param heldCategories categories a legal hold kept: per category the values and the holds
 * @param keptCategories categories a retention rule {@code after: erased} keeps for a while: per
 *     category the values and the rules
 * @param startedAt when a server started the job
 * @param finishedAt when it ended
 */
public record BulkDeletionReceipt(
        String jobId,
        String state,
        long erased,
        long notFound,
        long alreadyErased,
        long duplicates,
        Map<String, Long> tables,
        Map<String, Held> heldCategories,
        Map<String, Kept> keptCategories,
        Instant startedAt,
        Instant finishedAt) {

    /** A category legal holds kept past the erasures: how many values, under which holds. */
    public record Held(long values, java.util.List<String> holds) {}

    /**
     * A category retention rules {@code after: erased} keep for a while (each erasure's own receipt
     * says until when): how many values, under which rules.
     */
    public record Kept(long values, java.util.List<String> rules) {}
}
