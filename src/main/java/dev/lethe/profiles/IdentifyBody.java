package dev.lethe.profiles;

import java.time.Instant;
import java.util.Map;

/**
 * The body of {@code POST /v1/identify}, as a shape: the keys {@link IdentifyReader} takes are
 * these records' components, and the OpenAPI schema is generated from them.
 *
 * @param traits values by name: a text, number, true/false, or a list of those; each is
 *     classified by the policy and encrypted
 */
public record IdentifyBody(
        String visitorId, String subjectType, IdentifiersInput identifiers, Map<String, Object> traits, Instant ts) {

    /** The identifiers that find the person (blind-indexed) and are stored encrypted. */
    public record IdentifiersInput(String email, String phone, String externalId) {}
}
