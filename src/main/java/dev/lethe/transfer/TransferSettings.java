package dev.lethe.transfer;

import java.time.Duration;
import java.util.Objects;

/**
 * How imports, exports and bulk deletions behave.
 *
 * @param linkTtl how long an export's download link works after the export completed; the file
 *     is deleted when it ends
 * @param linkUses how many downloads an export's link allows (1: it works once)
 * @param previewTtl how long an import's preview waits for its commit before the staged file is
 *     deleted and the import expires
 * @param maxUploadBytes the largest file an import or a bulk deletion accepts
 * @param bulkDeletionBatch how many identifiers a bulk deletion reads, resolves and erases per step
 *     (one transaction, one checkpoint), 1..{@value #MAX_BULK_DELETION_BATCH}: a step costs about
 *     the same number of statements whatever its size, so larger steps erase more people a second;
 *     a crash or a cancel loses at most one step's work, which is done again
 */
public record TransferSettings(
        Duration linkTtl, int linkUses, Duration previewTtl, long maxUploadBytes, int bulkDeletionBatch) {

    /**
     * The largest bulk deletion step: its statements bind one parameter per identifier or person
     * (the purge's deletes the people plus at most 1,000 row ids), far below PostgreSQL's 65,535
     * and H2's 100,000 parameters a statement; a step's rows and receipts stay in memory, and its
     * people locked, until its transaction commits.
     */
    public static final int MAX_BULK_DELETION_BATCH = 5000;

    /**
     * A link that works once within 24 hours, previews kept a day, files up to 4 GiB, bulk
     * deletions 500 people a step.
     */
    public static final TransferSettings DEFAULT =
            new TransferSettings(Duration.ofHours(24), 1, Duration.ofDays(1), 4L << 30, 500);

    public TransferSettings {
        positive(linkTtl, "linkTtl");
        positive(previewTtl, "previewTtl");
        if (linkUses < 1) throw new IllegalArgumentException("linkUses must be at least 1");
        if (maxUploadBytes < 1024) throw new IllegalArgumentException("maxUploadBytes must be at least 1024");
        if (bulkDeletionBatch < 1 || bulkDeletionBatch > MAX_BULK_DELETION_BATCH)
            throw new IllegalArgumentException("bulkDeletionBatch must be 1.." + MAX_BULK_DELETION_BATCH);
    }

    /** These settings with bulk deletions taking this many identifiers a step. */
    public TransferSettings withBulkDeletionBatch(int value) {
        return new TransferSettings(linkTtl, linkUses, previewTtl, maxUploadBytes, value);
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be longer than zero");
    }
}
