package dev.lethe.registry;

import java.time.Period;
import java.util.Optional;

/** When a retention period starts to run. */
public sealed interface Trigger {

    /** The date of collection or of the communication. */
    record Collected() implements Trigger {}

    /** The date a message was sent (a scheduled "send at" date; otherwise the collection date). */
    record Sent() implements Trigger {}

    /** The date the conversation or chat started. */
    record ConversationStarted() implements Trigger {}

    /** The end of the communication campaign. */
    record CampaignEnded() implements Trigger {}

    /** The end of the account's contract with the operator. */
    record ContractEnded() implements Trigger {}

    /** The data subject has shown no activity for {@code period}. */
    record Inactive(Period period) implements Trigger {}

    /** The data subject was erased. */
    record Erased() implements Trigger {}

    /** The name in a policy document, e.g. {@code inactive P18M}. */
    default String wireName() {
        return switch (this) {
            case Collected c -> "collected";
            case Sent s -> "sent";
            case ConversationStarted c -> "conversation_started";
            case CampaignEnded c -> "campaign_ended";
            case ContractEnded c -> "contract_ended";
            case Inactive i -> "inactive " + i.period();
            case Erased e -> "erased";
        };
    }

    /** Reads a trigger's wire name; empty when it is not one. */
    static Optional<Trigger> fromWire(String text) {
        String t = text.strip();
        return switch (t) {
            case "collected" -> Optional.of(new Collected());
            case "sent" -> Optional.of(new Sent());
            case "conversation_started" -> Optional.of(new ConversationStarted());
            case "campaign_ended" -> Optional.of(new CampaignEnded());
            case "contract_ended" -> Optional.of(new ContractEnded());
            case "erased" -> Optional.of(new Erased());
            default -> {
                if (!t.startsWith("inactive ")) yield Optional.empty();
                yield Durations.parsePeriod(t.substring("inactive ".length()).strip())
                        .map(Inactive::new);
            }
        };
    }

    String WIRE_NAMES =
            "collected, sent, conversation_started, campaign_ended, contract_ended, inactive <period>, erased";
}
