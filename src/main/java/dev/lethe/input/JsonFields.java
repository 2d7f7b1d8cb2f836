package dev.lethe.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.storage.Timestamps;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the parts of a request body (a JSON tree) into typed values, collecting every mistake with
 * its path instead of stopping at the first, so the caller is told everything at once (promise
 * 9). Every object is read with the keys it may have: an unknown key is a mistake too (a typo
 * would otherwise be a silent no-op), named with its path and the keys allowed there.
 *
 * <p>Paths are dotted, with list indexes in brackets: {@code events[2].properties.plan}; the
 * body itself is {@code ""}.
 */
public final class JsonFields {

    /** What a caller is told when a value must be one value and is an object or a list. */
    public static final String SCALAR_EXPECTED = "must be a text, number or true/false";

    private final List<FieldError> errors;

    /**
     * The keys a body of this shape may hold: its record's components, by their JSON names. A
     * reader takes its allowed keys from the same record the OpenAPI schema is generated from.
     */
    public static List<String> keys(Class<? extends Record> shape) {
        return Arrays.stream(shape.getRecordComponents())
                .map(c -> {
                    var named = c.getAccessor().getAnnotation(JsonProperty.class);
                    return named != null && !named.value().isEmpty() ? named.value() : c.getName();
                })
                .toList();
    }

    public JsonFields() {
        this(new ArrayList<>());
    }

    /** Reads adding mistakes to {@code errors}. */
    public JsonFields(List<FieldError> errors) {
        this.errors = errors;
    }

    public static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public static String at(String path, int index) {
        return path + "[" + index + "]";
    }

    /**
     * The reader's mistakes and then those later checks found, leaving out a check's mistake at a
     * path the reader already named (a value the reader refused reached the checks as missing).
     */
    public static List<FieldError> merge(List<FieldError> read, List<FieldError> checked) {
        var out = new ArrayList<FieldError>(read);
        var named = new HashSet<String>();
        read.forEach(e -> named.add(e.path()));
        checked.stream().filter(e -> !named.contains(e.path())).forEach(out::add);
        return out;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    /** 422 with every mistake found, if any ({@code title} says what was not valid). */
    public void requireValid(String title) {
        if (!errors.isEmpty()) throw new InvalidInputException(title, errors);
    }

    public void requireValid() {
        requireValid("The request is not valid.");
    }

    /**
     * {@code node} as an object whose keys are all among {@code allowed}: each other key is a
     * mistake at its path. Null (with a mistake) when it is not an object.
     */
    public JsonNode object(JsonNode node, String path, List<String> allowed) {
        if (node == null || !node.isObject()) {
            error(path, "must be an object");
            return null;
        }
        unknownKeys(node, path, allowed);
        return node;
    }

    /** As {@link #object}, for a key that may be left out (or null): null without a mistake then. */
    public JsonNode optionalObject(JsonNode parent, String path, String key, List<String> allowed) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        return object(n, at(path, key), allowed);
    }

    /** Each key of {@code node} that is not among {@code allowed}, as a mistake at its path. */
    public void unknownKeys(JsonNode node, String path, List<String> allowed) {
        for (var e : node.properties()) {
            if (!allowed.contains(e.getKey()))
                error(at(path, e.getKey()), "unknown key (allowed here: " + String.join(", ", allowed) + ")");
        }
    }

    /** A text that may be left out (or null). */
    public String optionalText(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            error(at(path, key), "must be a text");
            return null;
        }
        return n.asText();
    }

    /** A text that must be given. */
    public String requiredText(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            error(at(path, key), "is required");
            return null;
        }
        return optionalText(parent, path, key);
    }

    /** An instant that may be left out (or null). */
    public Instant optionalInstant(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        var t = n.isTextual() ? Timestamps.parse(n.asText()) : Optional.<Instant>empty();
        if (t.isEmpty()) error(at(path, key), Timestamps.EXPECTED);
        return t.orElse(null);
    }

    /** An instant that must be given. */
    public Instant requiredInstant(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            error(at(path, key), "is required");
            return null;
        }
        return optionalInstant(parent, path, key);
    }

    /** true or false, or null when left out. */
    public Boolean optionalBoolean(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isBoolean()) {
            error(at(path, key), "must be true or false");
            return null;
        }
        return n.asBoolean();
    }

    /** true or false, which must be given. */
    public Boolean requiredBoolean(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            error(at(path, key), "must be true or false");
            return null;
        }
        return optionalBoolean(parent, path, key);
    }

    /** A list of texts; empty when left out. Each element that is not a text is a mistake at its index. */
    public List<String> texts(JsonNode parent, String path, String key) {
        JsonNode n = parent.get(key);
        var out = new ArrayList<String>();
        if (n == null || n.isNull()) return out;
        String here = at(path, key);
        if (!n.isArray()) {
            error(here, "must be a list of texts");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) error(at(here, i), "must be a text");
            else out.add(n.get(i).asText());
        }
        return out;
    }

    /** One value (a text, number or true/false) as a personal value; empty when left out or null. */
    public Optional<Sensitive> scalar(JsonNode v, String path) {
        if (v == null || v.isNull()) return Optional.empty();
        if (v.isContainerNode()) {
            error(path, SCALAR_EXPECTED);
            return Optional.empty();
        }
        return Optional.of(new Sensitive(v.asText()));
    }

    /**
     * An object of names to values, each a text, number, true/false or a list of these (kept as
     * one list value, see {@link Sensitive#list}); a null value is left out. An object, or a list
     * inside a list, is a mistake at its path: values are flat.
     */
    public Map<String, Sensitive> values(JsonNode parent, String path, String key) {
        var out = new LinkedHashMap<String, Sensitive>();
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) return out;
        String here = at(path, key);
        if (!n.isObject()) {
            error(here, "must be an object of names to values");
            return out;
        }
        for (var e : n.properties()) {
            String at = at(here, e.getKey());
            JsonNode v = e.getValue();
            if (v.isArray()) list(v, at).ifPresent(list -> out.put(e.getKey(), list));
            else if (v.isObject())
                error(
                        at,
                        SCALAR_EXPECTED
                                + ", or a list of these (nested objects are not accepted: give their parts as fields of their own)");
            else scalar(v, at).ifPresent(s -> out.put(e.getKey(), s));
        }
        return out;
    }

    private Optional<Sensitive> list(JsonNode list, String path) {
        var items = new ArrayList<String>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (item.isContainerNode() || item.isNull()) {
                error(at(path, i), SCALAR_EXPECTED + " (a list holds values, not objects, lists or null)");
                ok = false;
            } else items.add(item.asText());
        }
        return ok ? Optional.of(Sensitive.list(items)) : Optional.empty();
    }
}
