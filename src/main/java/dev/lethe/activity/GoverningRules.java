package dev.lethe.activity;

import dev.lethe.registry.Policy;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.registry.Trigger;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Which record rule of a policy governs a stored row (its rule kind), and when that rule's clock
 * starts for the row (its anchor). Both are stored with the row, so a sweep finds a rule's expired
 * rows as one range {@code (account, rule_kind, anchor_at < cut-off)}, the cut-off computed from
 * the policy in force. See docs/storage.md.
 */
public final class GoverningRules {

    private GoverningRules() {}

    /** The times a row's triggers can count from; null when the row has none of that kind. */
    public record Times(Instant collected, Instant sendAt, Instant conversationStart) {

        public static Times collected(Instant at) {
            return new Times(at, null, null);
        }
    }

    /** The first rule (in document order) of {@code kind} that these attributes match. */
    public static Optional<RecordRule> first(Policy policy, RecordKind kind, Map<String, String> attributes) {
        return policy.records().values().stream()
                .filter(r -> r.matches(kind, attributes))
                .findFirst();
    }

    /** The first rule of {@code kind} in the policy, whatever it matches. */
    public static Optional<RecordRule> firstOfKind(Policy policy, RecordKind kind) {
        return policy.records().values().stream().filter(r -> r.kind() == kind).findFirst();
    }

    /** The first rule of {@code kind} for a record about a person of this subject type. */
    public static Optional<RecordRule> forSubject(Policy policy, RecordKind kind, String subjectType) {
        return first(policy, kind, Map.of("subject", subjectType));
    }

    /**
     * When the rule's clock starts for a row: the earliest of its triggers that a row's own times
     * decide ("whichever comes first"). {@code sent} counts from the send-at date when one was given,
     * {@code conversation_started} from the conversation's start; {@code campaign_ended} counts from
     * the collection here, a lower bound the sweep refines with the campaign's end. Triggers that are
     * not a row's own (a contract's end, inactivity, erasure) are the sweep's to check, so a rule made
     * only of those anchors at the collection.
     */
    public static Instant anchor(RecordRule rule, Times times) {
        Instant earliest = null;
        for (Trigger t : rule.retention().after()) {
            Instant at = switch (t) {
                case Trigger.Collected c -> times.collected();
                case Trigger.CampaignEnded c -> times.collected();
                case Trigger.Sent s -> times.sendAt() != null ? times.sendAt() : times.collected();
                case Trigger.ConversationStarted c ->
                    times.conversationStart() != null ? times.conversationStart() : times.collected();
                case Trigger.ContractEnded c -> null;
                case Trigger.Inactive i -> null;
                case Trigger.Erased e -> null;
            };
            if (at != null && (earliest == null || at.isBefore(earliest))) earliest = at;
        }
        return earliest != null ? earliest : times.collected();
    }

    /** True when a rule's clock starts with the conversation (its rows move when the start does). */
    public static boolean countsFromConversation(RecordRule rule) {
        return rule.retention().after().contains(new Trigger.ConversationStarted());
    }
}
