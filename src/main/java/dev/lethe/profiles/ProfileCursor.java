package dev.lethe.profiles;

import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of a profile list ended: the sort key of its last profile. The next page starts
 * after that key, so profiles that arrive, change or leave meanwhile neither repeat nor push
 * others out of the list, as they would with an offset.
 *
 * @param sort the order the cursor belongs to
 * @param at the last profile's last (lastVisit, visits) or first (firstVisit) visit
 * @param visits its number of visits (visits order only, else null)
 * @param subjectId its id, which breaks ties
 */
public record ProfileCursor(String sort, Instant at, Integer visits, String subjectId) {

    /** An opaque text for the {@code next} link. */
    public String encode() {
        String plain = sort + "|" + at + "|" + (visits == null ? "" : visits) + "|" + subjectId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a text encodes, or empty when it is not one this list gave out. */
    public static Optional<ProfileCursor> decode(String text) {
        try {
            var parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 4 || !ProfileFilter.SORTS.contains(parts[0]) || !Ids.isId(parts[3])) {
                return Optional.empty();
            }
            Integer visits = parts[2].isEmpty() ? null : Integer.valueOf(parts[2]);
            if ("visits".equals(parts[0]) != (visits != null)) return Optional.empty();
            return Optional.of(new ProfileCursor(
                    parts[0],
                    Timestamps.parse(parts[1]).orElseThrow(() -> new IllegalArgumentException("not a time")),
                    visits,
                    parts[3]));
        } catch (IllegalArgumentException | DateTimeException e) {
            return Optional.empty();
        }
    }
}
