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
 */
public record TransferSettings(Duration linkTtl, int linkUses, Duration previewTtl, long maxUploadBytes) {

    /** A link that works once within 24 hours, previews kept a day, files up to 4 GiB. */
    public static final TransferSettings DEFAULT =
            new TransferSettings(Duration.ofHours(24), 1, Duration.ofDays(1), 4L << 30);

    public TransferSettings {
        positive(linkTtl, "linkTtl");
        positive(previewTtl, "previewTtl");
        if (linkUses < 1) throw new IllegalArgumentException("linkUses must be at least 1");
        if (maxUploadBytes < 1024) throw new IllegalArgumentException("maxUploadBytes must be at least 1024");
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be longer than zero");
    }
}
