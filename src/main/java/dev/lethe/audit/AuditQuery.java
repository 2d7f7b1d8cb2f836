package dev.lethe.audit;

import java.time.Instant;

/** Filters for reading the log; null means "any". Entries come in chain order from afterSeq. */
public record AuditQuery(
        Instant from, Instant to, String actor, String action, String target, long afterSeq, int limit) {

    public AuditQuery {
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be 1..1000");
    }
}
