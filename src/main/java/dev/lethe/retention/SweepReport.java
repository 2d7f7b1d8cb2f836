package dev.lethe.retention;

import java.time.Instant;
import java.util.List;

/**
 * What a sweep did (or, for a preview, would do): per rule of the policy, the action, the rows it
 * deleted, anonymised or summarised, the rows removed along with them, the rows legal holds kept
 * (with each hold's id), and the time it took.
 *
 * @param id the sweep's id; null for a preview, which is not recorded
 * @param status {@code running}, {@code succeeded}, {@code failed}, {@code interrupted} (the
 *     server stopped in the middle; the next sweep finishes the work), or {@code preview}
 * @param asOf the instant the rules were judged at
 * @param startedBy the key that asked for it, or {@code scheduler}
 * @param policyVersion the policy version applied; null for a proposed policy
 * @param error why a failed sweep failed (a kind of error, never data)
 */
public record SweepReport(
        String id,
        String status,
        boolean dryRun,
        Instant asOf,
        Instant startedAt,
        Instant finishedAt,
        String startedBy,
        Integer policyVersion,
        String error,
        Totals totals,
        List<RuleReport> rules) {

    public SweepReport {
        rules = List.copyOf(rules);
    }

    /** Sums over every rule. */
    public record Totals(long affected, long derived, long held) {
        static Totals of(List<RuleReport> rules) {
            return new Totals(
                    rules.stream().mapToLong(RuleReport::affected).sum(),
                    rules.stream().mapToLong(RuleReport::derived).sum(),
                    rules.stream().mapToLong(RuleReport::held).sum());
        }
    }

    /**
     * What one rule did.
     *
     * @param rule the rule's path in the policy: {@code records.complete_session}, {@code
     *     categories.ip_address}, {@code categories.device_id.bySubject.visitor}
     * @param action delete, anonymise or summarise
     * @param affected records (or, for a category or a part of a record, values; for a profile rule,
     *     people) deleted, anonymised or summarised
     * @param derived rows removed along with them: values and goal hits of a deleted event, events of
     *     a summarised session, blind indexes of expired values, everything a removed person held
     * @param held rows the rule would have taken that legal holds kept
     * @param heldBy the same, per hold
     */
    public record RuleReport(
            String rule, String action, long affected, long derived, long held, List<HeldBy> heldBy, long millis) {
        public RuleReport {
            heldBy = List.copyOf(heldBy);
        }
    }

    /** Rows one legal hold kept from one rule. */
    public record HeldBy(String holdId, long rows) {}
}
