package dev.lethe.retention;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Data kept past its time because the law or a case requires it: one person's data, one data
 * category of everyone, or the whole account. Active from its creation until it is released or
 * its end ({@code until}) passes.
 *
 * @param subjectId the person held, for a profile hold
 * @param category the category held, for a category hold
 * @param reason the account's own words about the case (an invoice number, a court file)
 * @param until when the hold ends by itself; null: until released
 */
public record LegalHold(
        String holdId,
        Scope scope,
        String subjectId,
        String category,
        String reason,
        Instant until,
        Instant createdAt,
        String createdBy,
        Instant releasedAt,
        String releasedBy) {

    /** What a hold covers. */
    public enum Scope {
        PROFILE,
        CATEGORY,
        ACCOUNT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Scope fromWire(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    /** Whether the hold keeps data at {@code at}: placed by then, not released, not ended. */
    public boolean activeAt(Instant at) {
        return !createdAt.isAfter(at)
                && (releasedAt == null || releasedAt.isAfter(at))
                && (until == null || until.isAfter(at));
    }

    /** Whether it holds a value of {@code category} of {@code subjectId}. */
    boolean covers(String subjectId, String category) {
        return switch (scope) {
            case ACCOUNT -> true;
            case CATEGORY -> this.category.equals(category);
            case PROFILE -> this.subjectId.equals(subjectId);
        };
    }

    /** When it stopped holding, if it did: released, or its end passed before {@code now}. */
    public Optional<Instant> endedBy(Instant now) {
        if (releasedAt != null) return Optional.of(releasedAt);
        return until != null && !until.isAfter(now) ? Optional.of(until) : Optional.empty();
    }
}
