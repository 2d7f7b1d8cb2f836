package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.registry.Policy;
import dev.lethe.registry.Trigger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Rule holds: the categories a retention rule {@code after: erased} keeps past a person's erasure
 * (invoice numbers kept ten years after the customer's erasure). An erasure keeps such a category
 * as a legal hold keeps one — its keys wrapped under a hold key of its own, nothing decrypted or
 * rewritten — and records here which rule keeps it (table {@code rule_holds}, V26); the sweep of
 * that rule removes the values and destroys the keys once the erasure plus the rule's period has
 * passed ({@link Sweeper}). The rule is the one the sweep applies to the category for the
 * person's subject type (its {@code bySubject} override, if it has one), named by its path.
 */
public final class RuleHolds {

    /**
     * A category kept past an erasure: by which rule (its path in the policy) and until when (the
     * erasure plus the rule's period, in exact calendar arithmetic).
     */
    public record Kept(String rule, Instant until) {}

    private RuleHolds() {}

    /**
     * Whether the policy keeps values of {@code category} of a person of {@code subjectType} past
     * their erasure at {@code erasedAt}: the category's rule for that type has an {@code erased}
     * trigger and a period longer than zero. A rule that lists other triggers too ({@code [erased,
     * collected]}) keeps them as well; its other triggers still apply to them (whichever first).
     */
    public static Optional<Kept> keeping(Policy policy, String category, String subjectType, Instant erasedAt) {
        for (var rule : SweepRule.of(policy)) {
            if (!(rule instanceof SweepRule.Values v)
                    || !v.category().name().equals(category)
                    || !v.subjectTypes().contains(subjectType)) continue;
            var retention = v.retention();
            if (retention.period().isZero() || !retention.after().contains(new Trigger.Erased()))
                return Optional.empty();
            return Optional.of(new Kept(v.name(), Expiry.expiresAt(erasedAt, List.of(retention.period()))));
        }
        return Optional.empty();
    }

    /** Records the rule hold of one erased person's category, in the erasure's transaction. */
    public static void insert(
            Handle h,
            String accountId,
            String holdId,
            String erasureId,
            String category,
            String rule,
            Instant erasedAt) {
        h.createUpdate("""
                        insert into rule_holds (account_id, hold_id, erasure_id, category, rule_name, erased_at)
                        values (:account, :hold, :erasure, :category, :rule, :at)
                        """)
                .bind("account", accountId)
                .bind("hold", holdId)
                .bind("erasure", erasureId)
                .bind("category", category)
                .bind("rule", rule)
                .bind("at", utc(erasedAt))
                .execute();
    }
}
