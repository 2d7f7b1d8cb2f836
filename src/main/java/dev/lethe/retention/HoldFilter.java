package dev.lethe.retention;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

    /** The hold that keeps every value of {@code category}, if one does (the account's, or the category's). */
    public Optional<LegalHold> holdingCategory(String category) {
        return active.stream()
                .filter(h ->
                        h.scope() == LegalHold.Scope.CATEGORY && h.category().equals(category))
                .findFirst();
    }

    /** The categories a category hold keeps. */
    public Set<String> heldCategories() {
        var out = new TreeSet<String>();
        active.stream().filter(h -> h.scope() == LegalHold.Scope.CATEGORY).forEach(h -> out.add(h.category()));
        return out;
    }

    /** The people a profile hold keeps, each with the (first) hold that keeps them. */
    public Map<String, String> heldSubjects() {
        var out = new TreeMap<String, String>();
        active.stream()
                .filter(h -> h.scope() == LegalHold.Scope.PROFILE)
                .forEach(h -> out.putIfAbsent(h.subjectId(), h.holdId()));
        return out;
    }

    /** The active holds. */
    public List<LegalHold> active() {
        return active;
    }
}
