package dev.lethe.input;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.errors.FieldError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch read from a body's list, each item on its own: the items in order (a refused item keeps
 * its place, so indexes stay the caller's) and each refused item's mistakes by index.
 *
 * @param <T> what an item is read into
 */
public record Batch<T>(List<T> items, Map<Integer, List<FieldError>> refused) {

    public Batch {
        items = Collections.unmodifiableList(new ArrayList<>(items));
        refused = Map.copyOf(refused);
    }

    /** Reads one item at {@code path}, adding its mistakes to {@code in}. */
    @FunctionalInterface
    public interface ItemReader<T> {
        T read(JsonNode item, String path, JsonFields in);
    }

    /**
     * The items of the list under {@code key}, the body's only key; 422 with every mistake of the
     * body itself (the list missing, empty or not a list; another key) before any item is read.
     * {@code what} names an item in the mistakes ("events").
     */
    public static <T> Batch<T> read(JsonNode body, String key, String what, ItemReader<T> reader) {
        var in = new JsonFields();
        in.object(body, "", List.of(key));
        JsonNode list = body.get(key);
        if (list == null || !list.isArray() || list.isEmpty())
            in.error(key, "is required: a non-empty list of " + what);
        in.requireValid("The batch is not valid.");
        var items = new ArrayList<T>(list.size());
        var refused = new LinkedHashMap<Integer, List<FieldError>>();
        for (int i = 0; i < list.size(); i++) {
            var item = new JsonFields();
            items.add(reader.read(list.get(i), JsonFields.at(key, i), item));
            if (!item.errors().isEmpty()) refused.put(i, item.errors());
        }
        return new Batch<>(items, refused);
    }
}
