package dev.lethe.accounts;

import java.time.Instant;

/** One tenant of the platform. */
public record Account(String id, String name, Instant createdAt, Instant contractEndedAt, boolean noticesPublic) {

    /** The platform itself: owner of the operator keys, the default policy and their audit chain. */
    public static final String PLATFORM = "00000000-0000-0000-0000-000000000000";
}
