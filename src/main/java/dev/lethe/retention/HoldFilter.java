package dev.lethe.retention;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The holds active at one instant, as one filter: what a sweep skips and what a preview shows as
 * held are decided here, by the same code, so a preview can never honour a hold the sweep ignores
 * (or the other way round).
 */
public final class HoldFilter {

    private final List<LegalHold> active;

    HoldFilter(List<LegalHold> holds, Instant at) {
        this.active = holds.stream().filter(h -> h.activeAt(at)).toList();
    }

    /** The first hold that keeps a value of {@code category} of {@code subjectId}, if one does. */
    public Optional<LegalHold> holding(String subjectId, String category) {
        return active.stream().filter(h -> h.covers(subjectId, category)).findFirst();
    }

    /** Whether any hold keeps the whole account. */
    public Optional<LegalHold> holdingAccount() {
        return active.stream().filter(h -> h.scope() == LegalHold.Scope.ACCOUNT).findFirst();
    }

    /** The active holds. */
    public List<LegalHold> active() {
        return active;
    }
}
