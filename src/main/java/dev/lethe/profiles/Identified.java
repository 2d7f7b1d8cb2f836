package dev.lethe.profiles;

import java.util.List;

/**
 * The outcome of an identification: the profile, whether it is new, whether the visitor's
 * anonymous history joined it, identifiers that already belong to another profile (left there,
 * and their values not stored on this one), values dropped (switched-off categories) and fields
 * not stored because already expired.
 */
public record Identified(
        String profileId,
        boolean created,
        boolean visitorJoined,
        List<String> conflicts,
        int dropped,
        List<String> expired) {}
