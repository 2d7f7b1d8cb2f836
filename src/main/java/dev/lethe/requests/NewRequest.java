package dev.lethe.requests;

import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request as the account received it.
 *
 * @param identifiedBy the kind of identifier the person was named by: email, phone, externalId,
 *     visitorId or profileId
 * @param identifier its value, used for the lookup only and never stored
 * @param receivedAt when the request reached the account (the clock's start), at most now
 * @param purposes for an objection, the purposes objected to
 * @param verify whether the person's identity must be verified by a code sent to their email first
 * @param changes for a rectification, the corrected traits (applied when the request starts, never
 *     stored with it)
 */
public record NewRequest(
        RequestType type,
        String identifiedBy,
        Sensitive identifier,
        Instant receivedAt,
        List<String> purposes,
        boolean verify,
        Map<String, Sensitive> changes) {

    public NewRequest {
        purposes = List.copyOf(purposes);
        changes = Map.copyOf(changes);
    }

    /** A request without changes. */
    public NewRequest(
            RequestType type,
            String identifiedBy,
            Sensitive identifier,
            Instant receivedAt,
            List<String> purposes,
            boolean verify) {
        this(type, identifiedBy, identifier, receivedAt, purposes, verify, Map.of());
    }

    /** The words an identifier may be named by in {@code subject}. */
    public static final List<String> IDENTIFIED_BY = List.of("email", "phone", "externalId", "visitorId", "profileId");
}
