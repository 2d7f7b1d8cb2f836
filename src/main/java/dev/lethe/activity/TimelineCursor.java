package dev.lethe.activity;

import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of a person's timeline ended: the time and id of its last record. The next page
 * starts right after it (newest first), so records that arrive meanwhile neither repeat nor push
 * others off a page, and records of the same instant are ordered by id.
 *
 * @param list {@code events} or {@code messages}: a cursor belongs to its list
 * @param at the last record's time
 * @param id its id, which breaks ties between records of the same instant
 */
public record TimelineCursor(String list, Instant at, String id) {

    /** An opaque text for {@code nextCursor}. */
    public String encode() {
        String plain = list + "|" + at + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a text encodes for this list, or empty when it is not one this list gave out. */
    public static Optional<TimelineCursor> decode(String list, String text) {
        try {
            var parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 3 || !parts[0].equals(list) || !Ids.isId(parts[2])) return Optional.empty();
            return Timestamps.parse(parts[1]).map(at -> new TimelineCursor(list, at, parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
