package dev.lethe.profiles;

import java.time.Instant;
import java.time.Period;

/**
 * A saved profile filter. {@code lastVisitWithin} is relative (the last 30 days, as of when the
 * segment is used); the other fields mean what they mean in the profile list.
 */
public record Segment(
        String segmentId,
        String name,
        String tag,
        Instant lastVisitFrom,
        Instant lastVisitTo,
        Period lastVisitWithin,
        String sort) {}
