package dev.lethe.activity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.input.Batch;
import dev.lethe.input.JsonFields;
import dev.lethe.values.Sensitive;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tracked events from JSON ({@code POST /v1/track}): each event on its own, every mistake
 * with its path. What the reader cannot judge (a visitor id's form, the type's pattern, the
 * policy's categories) {@link TrackService} checks.
 */
public final class EventReader {

    static final List<String> KEYS = JsonFields.keys(TrackBody.EventInput.class);
    static final List<String> CONTEXT = JsonFields.keys(TrackBody.ContextInput.class);

    private EventReader() {}

    /** The body {@code {events: [...]}}; 422 when the body itself is wrong. */
    public static Batch<IncomingEvent> batch(JsonNode body) {
        return Batch.read(body, "events", "events", EventReader::event);
    }

    /** One event at {@code at} ({@code events[3]}). */
    public static IncomingEvent event(JsonNode n, String at, JsonFields in) {
        if (in.object(n, at, KEYS) == null) return new IncomingEvent(null, null, null, null, Map.of());
        var values = new LinkedHashMap<String, Sensitive>();
        in.values(n, at, "properties").forEach((k, v) -> values.put("properties." + k, v));
        JsonNode context = in.optionalObject(n, at, "context", CONTEXT);
        if (context != null) {
            for (var e : context.properties()) {
                if (CONTEXT.contains(e.getKey()))
                    in.scalar(e.getValue(), JsonFields.at(JsonFields.at(at, "context"), e.getKey()))
                            .ifPresent(v -> values.put("context." + e.getKey(), v));
            }
        }
        return new IncomingEvent(
                in.optionalText(n, at, "visitorId"),
                in.optionalText(n, at, "sessionId"),
                in.optionalText(n, at, "type"),
                in.optionalInstant(n, at, "ts"),
                values);
    }
}
