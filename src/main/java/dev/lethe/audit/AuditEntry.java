package dev.lethe.audit;

import java.time.Instant;

/** One stored entry of an account's chain, as written (targets and detail as JSON text). */
public record AuditEntry(
        String accountId,
        long seq,
        Instant at,
        String actor,
        String source,
        String action,
        String targets,
        String outcome,
        String detail,
        String prevHash,
        String hash) {

    /** The same entry, sealed with its hash. */
    AuditEntry withHash(String hash) {
        return new AuditEntry(accountId, seq, at, actor, source, action, targets, outcome, detail, prevHash, hash);
    }
}
