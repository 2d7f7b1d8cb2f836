package dev.lethe.profiles;

import dev.lethe.subjects.IdentifierKind;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.Map;

/**
 * A visitor says who they are: its device id (optional, for server-side identification), the
 * subject type (optional), identifiers by kind, traits by name, and when (null = now).
 */
public record IdentifyRequest(
        String visitorId,
        String subjectType,
        Map<IdentifierKind, Sensitive> identifiers,
        Map<String, Sensitive> traits,
        Instant ts) {

    public IdentifyRequest {
        identifiers = Map.copyOf(identifiers);
        traits = Map.copyOf(traits);
    }
}
