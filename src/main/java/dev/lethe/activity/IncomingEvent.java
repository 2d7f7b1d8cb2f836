package dev.lethe.activity;

import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.Map;

/**
 * One event as sent by an integrator, already read from JSON: who (a visitor id), which session
 * (optional), what, when (null = now), and its values by field path ({@code properties.plan},
 * {@code context.ip}).
 */
public record IncomingEvent(
        String visitorId, String sessionId, String type, Instant ts, Map<String, Sensitive> values) {

    public IncomingEvent {
        values = Map.copyOf(values);
    }
}
