package dev.lethe.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Cursors of paged lists: an opaque text holding where a page ended (the last row's position in
 * the list's order) and a check over that position and the query that made the page. A cursor
 * passed back with another query (other filters, another order) or altered fails the check, so
 * a list never continues from a position that belongs to another list.
 *
 * <p>The check is a hash, not a secret: a cursor grants nothing, since the query it is used with
 * decides what is listed. Features give it only non-personal parts (ids, blind indexes, times).
 */
public final class Cursors {

    /** What a caller is told about a cursor that does not open. */
    public static final String PROBLEM =
            "is not a cursor of this query: pass back the nextCursor of the previous page, with the same parameters (limit and columns may change)";

    /** Longer texts are not cursors this server gave out. */
    private static final int MAX_LENGTH = 1000;

    private static final int CHECK_BYTES = 12;

    private Cursors() {}

    /**
     * A cursor for a position (a few texts without {@code |}) in the list a query made;
     * null parts of the query mean "not filtered by this".
     */
    public static String seal(List<String> query, List<String> position) {
        for (String p : position) {
            if (p == null || p.indexOf('|') >= 0)
                throw new IllegalArgumentException("a position part is null or holds |");
        }
        String plain = check(query, position) + "|" + String.join("|", position);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The position a cursor holds, when it was sealed for this query and has that many parts;
     * empty for any other text.
     */
    public static Optional<List<String>> open(String text, List<String> query, int parts) {
        return parts(text, parts)
                .filter(p -> p.get(0).equals(check(query, p.subList(1, p.size()))))
                .map(p -> List.copyOf(p.subList(1, p.size())));
    }

    /**
     * Where a page of a list ordered by one number (a row, a sequence) starts: after the number a
     * cursor sealed for this query holds, or 0 without a cursor; empty for a text that is not one.
     */
    public static Optional<Long> afterNumber(String text, List<String> query) {
        if (text == null) return Optional.of(0L);
        return open(text, query, 1).flatMap(p -> {
            try {
                return Optional.of(Long.parseLong(p.get(0)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * True when a text has the shape of a cursor with that many parts, whatever query it belongs to:
     * to name a malformed cursor when the query itself is at fault.
     */
    public static boolean wellFormed(String text, int parts) {
        return parts(text, parts).isPresent();
    }

    private static Optional<List<String>> parts(String text, int parts) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) return Optional.empty();
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        var split = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\|", -1)));
        return split.size() == parts + 1 ? Optional.of(split) : Optional.empty();
    }

    /** A hash of the query and the position, each part length-prefixed so no two lists collide. */
    private static String check(List<String> query, List<String> position) {
        var canonical = new StringBuilder("lethe cursor 1\n");
        for (var list : List.of(query, position)) {
            canonical.append(list.size()).append('\n');
            for (String part : list) {
                if (part == null) canonical.append("-\n");
                else canonical.append(part.length()).append(':').append(part).append('\n');
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, CHECK_BYTES));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
