package dev.lethe.audit;

import java.util.List;

/** The result of checking a chain: every broken entry, named by its sequence number. */
public record Verification(boolean intact, long entries, ChainHead head, List<Problem> problems) {

    /** One entry that is not as it was written, and why we think so. */
    public record Problem(long seq, String reason) {}
}
