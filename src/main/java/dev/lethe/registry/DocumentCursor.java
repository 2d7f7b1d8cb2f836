package dev.lethe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.errors.FieldError;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Walks a document tree, reading typed values and collecting every error with its path, so one
 * pass reports all that is wrong instead of stopping at the first mistake.
 */
final class DocumentCursor {

    private final List<FieldError> errors;

    DocumentCursor(List<FieldError> errors) {
        this.errors = errors;
    }

    void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The node as an object whose keys are all in {@code allowed}; null (with an error) if not. */
    JsonNode object(JsonNode node, String path, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            error(path, "must be a mapping of keys to values");
            return null;
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!allowed.contains(key)) {
                error(at(path, key), "unknown key (allowed here: " + String.join(", ", sorted(allowed)) + ")");
            }
        });
        return node;
    }

    /** Each entry of a mapping whose values are read by {@code read}; keys must be names. */
    <T> Map<String, T> entries(JsonNode node, String path, BiFunction<String, JsonNode, T> read) {
        var out = new LinkedHashMap<String, T>();
        if (node == null || node.isNull()) return out;
        if (!node.isObject()) {
            error(path, "must be a mapping of names to entries");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            String child = at(path, e.getKey());
            if (!e.getKey().matches("[a-z][a-z0-9_]*")) {
                error(child, "a name must be lower_snake_case (letters, digits, underscores)");
            }
            T value = read.apply(e.getKey(), e.getValue());
            if (value != null) out.put(e.getKey(), value);
        });
        return out;
    }

    String text(JsonNode parent, String path, String key, boolean required) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            if (required) error(at(path, key), "is required");
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            error(at(path, key), "must be a non-empty text");
            return null;
        }
        return n.asText().strip();
    }

    Boolean bool(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isBoolean()) {
            error(at(path, key), "must be true or false");
            return null;
        }
        return n.asBoolean();
    }

    Integer integer(JsonNode parent, String path, String key, int min, int max) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
            error(at(path, key), "must be a whole number from " + min + " to " + max);
            return null;
        }
        return n.asInt();
    }

    Period period(JsonNode parent, String path, String key, boolean required) {
        String text = text(parent, path, key, required);
        if (text == null) return null;
        var period = Durations.parsePeriod(text);
        if (period.isEmpty()) {
            error(at(path, key), "'" + text + "' is not an ISO-8601 period such as P120D, P6M, P18M or P3Y");
            return null;
        }
        // a billion years parses, but no date can be counted that far: nothing is kept for ever here
        if (Durations.tooLong(period.get())) {
            error(at(path, key), "'" + text + "' is longer than " + Durations.LONGEST.getYears() + " years");
            return null;
        }
        return period.get();
    }

    <E extends Enum<E>> E choice(JsonNode parent, String path, String key, Class<E> type, boolean required) {
        String text = text(parent, path, key, required);
        if (text == null) return null;
        Optional<E> value = Wire.parse(type, text);
        if (value.isEmpty()) {
            error(at(path, key), "'" + text + "' is not one of: " + Wire.names(type));
            return null;
        }
        return value.get();
    }

    /** A text or a list of texts, as a list; empty when absent. */
    List<String> texts(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        var out = new ArrayList<String>();
        if (n == null || n.isNull()) return out;
        if (n.isTextual()) {
            out.add(n.asText().strip());
            return out;
        }
        if (!n.isArray()) {
            error(at(path, key), "must be a text or a list of texts");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode item = n.get(i);
            if (!item.isTextual() || item.asText().isBlank())
                error(at(path, key) + "[" + i + "]", "must be a non-empty text");
            else out.add(item.asText().strip());
        }
        return out;
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }
}
