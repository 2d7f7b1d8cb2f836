package dev.lethe.values;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Objects;

/**
 * A personal value in plaintext, in memory only. Its toString is redacted, so it cannot reach a
 * log line, an exception message or a debugger's summary by accident (promise 3).
 *
 * <p>A value may hold a list ({@code "traits": {"products": ["boots", "hats"]}}): it is one value
 * of its field, sealed whole under the field's category, whose text is a marker and the elements
 * as a JSON list of texts. The marker starts with a NUL character, which no text Lethe takes may
 * hold (every body refuses it), so no single value is ever read as a list.
 */
public record Sensitive(String value) {

    private static final String LIST = "\u0000list:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> TEXTS = new TypeReference<>() {};

    public Sensitive {
        Objects.requireNonNull(value, "value");
    }

    /** One value holding a list of texts, in order. */
    public static Sensitive list(List<String> items) {
        try {
            return new Sensitive(LIST + JSON.writeValueAsString(List.copyOf(items)));
        } catch (JsonProcessingException e) {
            // no cause: its message could quote the value
            throw new IllegalStateException("a list of texts does not write as JSON");
        }
    }

    /** Whether this value holds a list (see {@link #list}). */
    public boolean isList() {
        return value.startsWith(LIST);
    }

    /** The list's elements; a single value is a list of one. */
    public List<String> items() {
        if (!isList()) return List.of(value);
        try {
            return List.copyOf(JSON.readValue(value.substring(LIST.length()), TEXTS));
        } catch (JsonProcessingException e) {
            // no cause: its message could quote the value
            throw new IllegalStateException("a stored list value does not read");
        }
    }

    @Override
    public String toString() {
        return "Sensitive[redacted]";
    }
}
