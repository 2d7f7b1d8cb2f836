package dev.lethe.notices;

import dev.lethe.registry.Action;
import dev.lethe.registry.Durations;
import dev.lethe.registry.RetentionRule;
import dev.lethe.registry.Trigger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How notices say the policy's terms in plain words. One place, so a trigger or a subject type
 * reads the same in every notice.
 */
public final class NoticeWords {

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern(
                    "d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /** The footnote for rules with several triggers. */
    static final String WHICHEVER_FIRST =
            "Where a period is counted from several events joined by \"or\", it runs from whichever comes first.";

    private NoticeWords() {}

    /** When a retention period starts to run, e.g. "Date the conversation or chat started". */
    static String trigger(Trigger trigger) {
        return switch (trigger) {
            case Trigger.Collected c -> "Date of collection or communication";
            case Trigger.Sent s -> "Date the message was sent (the send-at date if scheduled)";
            case Trigger.ConversationStarted c -> "Date the conversation or chat started";
            case Trigger.CampaignEnded c -> "Termination of the communication campaign";
            case Trigger.ContractEnded c -> "Contract termination";
            case Trigger.Inactive i ->
                i.period().isZero() ? "Inactivity" : Durations.words(i.period()) + " of inactivity";
            case Trigger.Erased e -> "Erasure of the person";
        };
    }

    /** Several triggers mean whichever comes first; a footnote says so. */
    static String triggers(List<Trigger> triggers) {
        return triggers.stream()
                .map(NoticeWords::trigger)
                .map(NoticeWords::continuing)
                .collect(Collectors.collectingAndThen(Collectors.joining(" or "), NoticeWords::capitalised));
    }

    /** A whole rule in one phrase: "30 days after contract termination or 18 months of inactivity". */
    public static String retention(RetentionRule rule) {
        String words = Durations.words(rule.period()) + " after " + continuing(triggers(rule.after()));
        return rule.then() == Action.DELETE
                ? words
                : words + ", then " + rule.then().words();
    }

    /**
     * A record rule's {@code match} as a list a reader understands: products by name, channels as
     * written, APIs as "SMTP API", directions as "received" or "sent", subject types by label.
     */
    static List<String> scope(Map<String, List<String>> match) {
        var out = new ArrayList<String>();
        match.forEach((key, values) -> {
            for (String value : values) {
                out.add(
                        switch (key) {
                            case "product" -> capitalised(spaced(value));
                            case "api" -> value.toUpperCase(Locale.ROOT) + " API";
                            case "direction" ->
                                switch (value) {
                                    case "inbound" -> "received";
                                    case "outbound" -> "sent";
                                    default -> spaced(value);
                                };
                            case "subject" -> subjects(value);
                            default -> spaced(value);
                        });
            }
        });
        return out;
    }

    /** A subject type's name as a heading: {@code end_user} → "End users". */
    static String subjects(String subjectType) {
        return capitalised(plural(spaced(subjectType)));
    }

    /** A word from the policy as a table shows it: {@code identification} → "Identification". */
    static String term(String word) {
        return word == null ? null : capitalised(spaced(word));
    }

    /** A processor's location: "United States", "European Union", "European Economic Area". */
    static String location(String code) {
        if (code == null) return null;
        if (code.equals("EEA")) return "European Economic Area";
        if (!code.matches("[A-Z]{2}")) return code;
        String name = Locale.of("", code).getDisplayCountry(Locale.ENGLISH);
        return name.isBlank() || name.equals(code) || name.equals("Unknown Region") ? code : name;
    }

    /** A transfer safeguard (GDPR Chapter V) in words. */
    static String safeguard(String code) {
        return switch (code) {
            case "SCC" -> "Standard contractual clauses (SCC)";
            case "BCR" -> "Binding corporate rules (BCR)";
            case "adequacy" -> "Adequacy decision";
            case "DPF" -> "EU-US Data Privacy Framework (DPF)";
            case "derogation" -> "Derogation for a specific situation (GDPR Art. 49)";
            default -> code;
        };
    }

    static String since(Instant instant) {
        return SINCE.format(instant);
    }

    static String capitalised(String text) {
        if (text == null || text.isEmpty()) return text;
        return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }

    /** Lower-cases the first letter of a phrase that continues a sentence, unless it is an acronym. */
    private static String continuing(String phrase) {
        if (phrase.length() > 1 && Character.isUpperCase(phrase.charAt(1))) return phrase;
        return phrase.substring(0, 1).toLowerCase(Locale.ROOT) + phrase.substring(1);
    }

    private static String spaced(String name) {
        return name.replace('_', ' ');
    }

    private static String plural(String noun) {
        if (noun.matches(".*(s|x|z|ch|sh)")) return noun + "es";
        if (noun.matches(".*[^aeiou]y")) return noun.substring(0, noun.length() - 1) + "ies";
        return noun + "s";
    }
}
