package dev.lethe.audit;

import java.util.List;

/**
 * The result of checking a log: whether it is intact, how many entries are chained, how many are
 * pending (written, not yet chained; their seals hold), the head, and every problem: a chained
 * entry named by its sequence number, an entry outside the chain by its entry id.
 */
public record Verification(boolean intact, long entries, long pending, ChainHead head, List<Problem> problems) {

    /**
     * One entry that is not as it was written, and why we think so.
     *
     * @param seq the chained entry's sequence number; 0 for an entry outside the chain
     * @param entry the entry's id, when known
     */
    public record Problem(long seq, String entry, String reason) {

        public Problem(long seq, String reason) {
            this(seq, null, reason);
        }

        static Problem unchained(String entry, String reason) {
            return new Problem(0, entry, reason);
        }
    }
}
