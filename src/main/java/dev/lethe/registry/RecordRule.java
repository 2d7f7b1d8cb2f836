package dev.lethe.registry;

import java.util.List;
import java.util.Map;

/**
 * How long one kind of stored record lives. A record matches the first rule (in document order)
 * whose kind is its kind and whose every {@code match} key holds one of the listed values.
 */
public record RecordRule(
        String name,
        RecordKind kind,
        String title,
        String description,
        Map<String, List<String>> match,
        RetentionRule retention) {

    /** The attributes a record may be matched on. */
    public static final List<String> MATCH_KEYS = List.of("product", "channel", "api", "direction", "subject");

    public RecordRule {
        match = Collections2.orderedCopy(match);
    }

    /** True when this rule applies to a record of {@code kind} with these attributes. */
    public boolean matches(RecordKind recordKind, Map<String, String> attributes) {
        if (recordKind != kind) return false;
        for (var condition : match.entrySet()) {
            String value = attributes.get(condition.getKey());
            if (value == null || !condition.getValue().contains(value)) return false;
        }
        return true;
    }
}
