package dev.lethe.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.input.JsonFields;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.values.Sensitive;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads an identification from JSON ({@code POST /v1/identify}), every mistake with its path.
 * What the reader cannot judge (an identifier's form, the subject type, the policy's categories)
 * {@link Identification} checks, and reports with these.
 */
public final class IdentifyReader {

    static final List<String> KEYS = JsonFields.keys(IdentifyBody.class);
    static final List<String> IDENTIFIERS = JsonFields.keys(IdentifyBody.IdentifiersInput.class);

    private IdentifyReader() {}

    /** The body, read at {@code at} ({@code ""} for a whole body). */
    public static IdentifyRequest read(JsonNode body, String at, JsonFields in) {
        var identifiers = new LinkedHashMap<IdentifierKind, Sensitive>();
        if (in.object(body, at, KEYS) == null)
            return new IdentifyRequest(null, null, identifiers, new LinkedHashMap<>(), null);
        String idsAt = JsonFields.at(at, "identifiers");
        JsonNode ids = in.optionalObject(body, at, "identifiers", IDENTIFIERS);
        if (ids != null) {
            for (var e : ids.properties()) {
                if (!IDENTIFIERS.contains(e.getKey())) continue;
                in.scalar(e.getValue(), JsonFields.at(idsAt, e.getKey()))
                        .ifPresent(v -> identifiers.put(kind(e.getKey()), v));
            }
        }
        return new IdentifyRequest(
                in.optionalText(body, at, "visitorId"),
                in.optionalText(body, at, "subjectType"),
                identifiers,
                in.values(body, at, "traits"),
                in.optionalInstant(body, at, "ts"));
    }

    private static IdentifierKind kind(String wire) {
        for (var k : IdentifierKind.values()) if (k.wireName().equals(wire)) return k;
        throw new IllegalArgumentException("not an identifier: " + wire);
    }
}
