package dev.lethe.goals;

import java.util.Map;
import java.util.Optional;

/**
 * Something a profile can achieve: an event of {@code eventType} whose properties hold every
 * value in {@code match} (e.g. a "purchase" with {@code plan: pro}).
 */
public record Goal(String goalId, String name, String eventType, Map<String, String> match) {

    public Goal {
        match = Map.copyOf(match);
    }

    /** The property an event's value field carries ({@code properties.plan} → plan), if it is one. */
    public static Optional<String> property(String field) {
        return field.startsWith("properties.")
                ? Optional.of(field.substring("properties.".length()))
                : Optional.empty();
    }

    /** True when an event of this type with these property values achieves the goal. */
    public boolean achievedBy(String type, Map<String, String> properties) {
        if (!eventType.equals(type)) return false;
        for (var m : match.entrySet()) {
            if (!m.getValue().equals(properties.get(m.getKey()))) return false;
        }
        return true;
    }
}
