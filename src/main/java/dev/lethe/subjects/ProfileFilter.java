package dev.lethe.subjects;

import java.time.Instant;
import java.util.Set;

/**
 * Which identified profiles to list, in which order, from where. Null means "any". Identifier
 * and tag filters are blind indexes, never the values themselves.
 *
 * @param subjectIds only these (from an exact email or phone lookup), or null
 * @param tagIndex only profiles carrying this tag, or null
 * @param lastSeenFrom inclusive, or null
 * @param lastSeenTo exclusive, or null
 * @param sort {@code lastVisit} (newest first, the default), {@code firstVisit} (oldest first) or
 *     {@code visits} (most first)
 * @param offset how many to skip (the cursor)
 * @param limit how many at most
 */
public record ProfileFilter(
        Set<String> subjectIds,
        String tagIndex,
        Instant lastSeenFrom,
        Instant lastSeenTo,
        String sort,
        int offset,
        int limit) {

    public static final Set<String> SORTS = Set.of("lastVisit", "firstVisit", "visits");
}
