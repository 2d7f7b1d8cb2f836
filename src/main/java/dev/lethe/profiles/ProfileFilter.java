package dev.lethe.profiles;

import dev.lethe.subjects.Subject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Which identified profiles to list, in which order, from where. Null means "any". Identifier,
 * tag and field filters are blind indexes, never the values themselves.
 *
 * @param subjectIds only these (from an exact email or phone lookup), or null
 * @param tagIndex only profiles carrying this tag, or null
 * @param goalId only profiles that achieved this goal, or null
 * @param fieldIndexes only profiles whose latest value of each field (key) has this blind index
 * @param lastSeenFrom inclusive, or null
 * @param lastSeenTo exclusive, or null
 * @param sort {@code lastVisit} (newest first, the default), {@code firstVisit} (oldest first) or
 *     {@code visits} (most first)
 * @param after start after this position, or null for the first page
 * @param limit how many at most
 */
public record ProfileFilter(
        Set<String> subjectIds,
        String tagIndex,
        String goalId,
        Map<String, String> fieldIndexes,
        Instant lastSeenFrom,
        Instant lastSeenTo,
        String sort,
        ProfileCursor after,
        int limit) {

    public static final Set<String> SORTS = Set.of("lastVisit", "firstVisit", "visits");

    public ProfileFilter {
        fieldIndexes = fieldIndexes == null ? Map.of() : Map.copyOf(fieldIndexes);
        sort = sort == null ? "lastVisit" : sort;
    }

    /** The same filter from another position, for another number of rows. */
    public ProfileFilter from(ProfileCursor position, int rows) {
        return new ProfileFilter(
                subjectIds, tagIndex, goalId, fieldIndexes, lastSeenFrom, lastSeenTo, sort, position, rows);
    }

    /** A listed profile and its position in the list. */
    public record Listed(Subject subject, ProfileCursor position) {}
}
