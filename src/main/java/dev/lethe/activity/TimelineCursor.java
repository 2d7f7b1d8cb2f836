package dev.lethe.activity;

import dev.lethe.storage.Cursors;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where a page of a person's timeline ended: the time and id of its last record. The next page
 * starts right after it (newest first), so records that arrive meanwhile neither repeat nor push
 * others off a page, and records of the same instant are ordered by id. Sealed by {@link Cursors}
 * for the list it came from (events or messages, of this account and person, with these bounds
 * and type), so a cursor passed back with another list is refused, as the other lists' are.
 *
 * @param at the last record's time
 * @param id its id, which breaks ties between records of the same instant
 */
public record TimelineCursor(Instant at, String id) {

    private static final int PARTS = 2;

    /** What a timeline cursor is bound to: the list, the account, the person and the filters. */
    static List<String> boundTo(String list, String accountId, String subjectId, TimelineQuery query) {
        return Arrays.asList(
                "timeline",
                list,
                accountId,
                subjectId,
                query.from() == null ? null : query.from().toString(),
                query.to() == null ? null : query.to().toString(),
                query.type());
    }

    /** An opaque text for {@code nextCursor}, good for the list {@code boundTo} describes. */
    String seal(List<String> boundTo) {
        return Cursors.seal(boundTo, List.of(at.toString(), id));
    }

    /** The cursor a text holds for this list, or empty when it is not one this list gave out. */
    static Optional<TimelineCursor> open(String text, List<String> boundTo) {
        return Cursors.open(text, boundTo, PARTS)
                .filter(p -> Ids.isId(p.get(1)))
                .flatMap(p -> Timestamps.parse(p.get(0)).map(at -> new TimelineCursor(at, p.get(1))));
    }

    /** Whether a text has a timeline cursor's shape, whatever list it belongs to. */
    static boolean wellFormed(String text) {
        return Cursors.wellFormed(text, PARTS);
    }
}
