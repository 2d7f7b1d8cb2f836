package dev.lethe.audit;

import java.time.Instant;

/**
 * One stored entry of an account's log, as written (targets and detail as JSON text).
 *
 * @param entryId made when the entry is written; the entry's key before it has a place in the chain
 * @param seq its place in the chain; null while it is pending (written, not yet chained)
 * @param seal the HMAC made when it was written, over its content: the chainer links only entries
 *     whose seal holds, so a row forged with database access alone never joins the chain
 * @param prevHash the hash of the entry before it in the chain; null while pending
 * @param hash the keyed hash that links it: its content, place and predecessor; null while pending
 */
public record AuditEntry(
        String accountId,
        String entryId,
        Long seq,
        Instant at,
        String actor,
        String source,
        String action,
        String targets,
        String outcome,
        String detail,
        String seal,
        String prevHash,
        String hash) {

    public boolean isPending() {
        return seq == null;
    }

    /** The same entry at its place in the chain. */
    AuditEntry chained(long seq, String prevHash, String hash) {
        return new AuditEntry(
                accountId, entryId, seq, at, actor, source, action, targets, outcome, detail, seal, prevHash, hash);
    }

    /** The same entry with its seal. */
    AuditEntry sealed(String seal) {
        return new AuditEntry(
                accountId, entryId, seq, at, actor, source, action, targets, outcome, detail, seal, prevHash, hash);
    }
}
