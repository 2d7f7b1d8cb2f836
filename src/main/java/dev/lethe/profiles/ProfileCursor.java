package dev.lethe.profiles;

import dev.lethe.storage.Cursors;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a page of a profile list ended: the sort key of its last profile. The next page starts
 * after that key, so profiles that arrive, change or leave meanwhile neither repeat nor push
 * others out of the list, as they would with an offset. Its text is bound to the query that made
 * the page ({@link Cursors}).
 *
 * @param sort the order the cursor belongs to
 * @param at the last profile's last (lastVisit, visits) or first (firstVisit) visit
 * @param visits its number of visits (visits order only, else null)
 * @param subjectId its id, which breaks ties
 */
public record ProfileCursor(String sort, Instant at, Integer visits, String subjectId) {

    private static final int PARTS = 4;

    /** The opaque text of this position in the list a query made. */
    String encode(List<String> query) {
        return Cursors.seal(
                query, List.of(sort, at.toString(), visits == null ? "" : Integer.toString(visits), subjectId));
    }

    /**
     * The position a text holds, when a page of this query gave it out; empty for a cursor of
     * another query, an altered one, or any other text — including one whose time lies outside
     * the years Lethe takes.
     */
    static Optional<ProfileCursor> decode(String text, List<String> query) {
        return Cursors.open(text, query, PARTS).flatMap(ProfileCursor::position);
    }

    /** True when a text has the form of a profile list cursor, whatever query it belongs to. */
    static boolean isCursor(String text) {
        return Cursors.wellFormed(text, PARTS);
    }

    private static Optional<ProfileCursor> position(List<String> parts) {
        String sort = parts.get(0);
        var at = Timestamps.parse(parts.get(1));
        if (!ProfileFilter.SORTS.contains(sort) || at.isEmpty() || !Ids.isId(parts.get(3))) return Optional.empty();
        Integer visits = null;
        if (!parts.get(2).isEmpty()) {
            try {
                visits = Integer.valueOf(parts.get(2));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (visits < 0) return Optional.empty();
        }
        if (sort.equals("visits") != (visits != null)) return Optional.empty();
        return Optional.of(new ProfileCursor(sort, at.get(), visits, parts.get(3)));
    }
}
