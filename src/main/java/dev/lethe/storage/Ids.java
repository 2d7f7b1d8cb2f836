package dev.lethe.storage;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Identifiers for rows: UUIDs of version 7 (RFC 9562), stored in {@code uuid} columns. A uuid
 * index is three quarters the size of the same ids as text, and version 7 ids begin with their
 * creation time in milliseconds, so new rows land at the end of an index instead of all over it.
 * The clock and the random source are injected, so tests can fix both.
 */
public final class Ids {

    private final RandomGenerator random;
    private final Clock clock;

    public Ids(RandomGenerator random, Clock clock) {
        this.random = random;
        this.clock = clock;
    }

    /** A new id: 48 bits of milliseconds, the version, 74 random bits and the variant. */
    public String next() {
        long millis = clock.millis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /**
     * The id a text names, in its canonical form, or empty when it is not an id: ids arrive in
     * paths, bodies and cursors, and a text that is not one names nothing (a 404), rather than
     * reaching the database, which would refuse to compare it with a uuid column.
     */
    public static Optional<String> parse(String text) {
        if (text == null || text.length() != 36) return Optional.empty();
        try {
            return Optional.of(UUID.fromString(text).toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Ids as uuid values, to bind in an {@code in (…)} list: H2 compares a uuid column with a list
     * of texts by converting each text for each row, and reads the whole table instead of its
     * index; a list of uuids it looks up in the index (PostgreSQL takes either).
     */
    public static List<UUID> uuids(Collection<String> ids) {
        return ids.stream().distinct().map(UUID::fromString).toList();
    }

    /** True when the text is an id in canonical form. */
    public static boolean isId(String text) {
        return parse(text).filter(text::equals).isPresent();
    }
}
