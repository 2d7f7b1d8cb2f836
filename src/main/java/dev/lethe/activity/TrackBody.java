package dev.lethe.activity;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/track}, as a shape: the keys {@link EventReader} takes are these
 * records' components, and the OpenAPI schema is generated from them, so the two cannot differ.
 */
public record TrackBody(@JsonProperty(required = true) List<EventInput> events) {

    /**
     * One event.
     *
     * @param type a name: a letter, then letters, digits, spaces or {@code _ . : / -}
     * @param properties values by name: a text, number, true/false, or a list of those; each is
     *     classified by the policy and encrypted
     */
    public record EventInput(
            @JsonProperty(required = true) String visitorId,
            String sessionId,
            @JsonProperty(required = true) String type,
            Instant ts,
            Map<String, Object> properties,
            ContextInput context) {}

    /** Where the event came from; every value is personal data, classified and encrypted. */
    public record ContextInput(
            String ip, String userAgent, String url, String referrer, String campaign, String locale, String country) {}
}
