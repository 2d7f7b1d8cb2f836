package dev.lethe.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Walks one account's chain and names every entry that is not as it was written: its content no
 * longer matches its keyed hash (edited, or re-hashed by someone without the audit key), it does
 * not link to the entry before it (removed or reordered), or sequence numbers are missing
 * (removed). The head kept beside the chain shows a truncated tail. Entries outside the chain are
 * counted as pending when their seal holds, and named when it does not or the chainer refused them.
 */
final class ChainCheck {

    private final AuditStore store;

    ChainCheck(AuditStore store) {
        this.store = store;
    }

    Verification run(Handle h, String accountId, Optional<AuditKey> key) {
        var problems = new ArrayList<Verification.Problem>();
        var walk = new Walk(key, problems);
        // The head first, and the walk up to it: the chainer goes on moving the head while the
        // chain is read, and entries it chains meanwhile are newer than this verification.
        var recorded = store.head(h, accountId);
        long upTo = recorded.map(ChainHead::seq).orElse(Long.MAX_VALUE);
        store.forEachInOrder(h, accountId, e -> {
            if (e.seq() <= upTo) walk.visit(e);
        });
        if (key.isEmpty() && walk.count > 0) {
            problems.add(new Verification.Problem(
                    0, "there is no audit key for this account, so no entry's keyed hash can be checked"));
        }
        long beyond = store.countPastHead(h, accountId);
        if (beyond > 0) {
            problems.add(new Verification.Problem(
                    upTo, beyond + " entries have places past the recorded head (added behind the chainer's back)"));
        }
        if (recorded.isEmpty()) {
            problems.add(new Verification.Problem(0, "there is no audit chain for this account (no recorded head)"));
        }
        ChainHead head = recorded.orElse(ChainHead.GENESIS);
        long last = walk.expectedSeq - 1;
        if (recorded.isPresent() && (head.seq() != last || !head.hash().equals(walk.prevHash))) {
            problems.add(new Verification.Problem(
                    head.seq(),
                    "the chain ends at entry " + last + " but its recorded head is entry " + head.seq()
                            + " (entries removed from the end, or the head was changed)"));
        }
        long pending = unchained(h, accountId, key, problems);
        return new Verification(problems.isEmpty(), walk.count, pending, head, List.copyOf(problems));
    }

    private long unchained(Handle h, String accountId, Optional<AuditKey> key, List<Verification.Problem> problems) {
        var pending = new long[1];
        store.forEachUnchained(h, accountId, u -> {
            var e = u.entry();
            if (u.refusedAt() != null) {
                problems.add(Verification.Problem.unchained(
                        e.entryId(),
                        "refused by the chainer at " + u.refusedAt()
                                + ": its seal does not match (forged, or edited while pending)"));
            } else if (key.isPresent() && !key.get().seal(e).equals(e.seal())) {
                problems.add(Verification.Problem.unchained(
                        e.entryId(), "pending, and its seal does not match (forged, or edited while pending)"));
            } else {
                pending[0]++;
            }
        });
        return pending[0];
    }

    /** The state of a walk along the chain. */
    private static final class Walk {
        private final Optional<AuditKey> key;
        private final List<Verification.Problem> problems;
        long expectedSeq = 1;
        String prevHash = ChainHead.GENESIS.hash();
        long count;

        Walk(Optional<AuditKey> key, List<Verification.Problem> problems) {
            this.key = key;
            this.problems = problems;
        }

        void visit(AuditEntry e) {
            count++;
            long seq = e.seq();
            if (seq != expectedSeq) {
                problems.add(new Verification.Problem(
                        seq,
                        "entries " + expectedSeq + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "")
                                + " are missing before this one"));
            } else if (!prevHash.equals(e.prevHash())) {
                problems.add(
                        new Verification.Problem(seq, "does not link to the entry before it (removed or reordered)"));
            }
            if (key.isPresent() && !key.get().link(e).equals(e.hash())) {
                problems.add(new Verification.Problem(seq, "content does not match its hash (edited)"));
            }
            expectedSeq = seq + 1;
            prevHash = e.hash();
        }
    }
}
