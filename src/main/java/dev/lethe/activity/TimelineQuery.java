package dev.lethe.activity;

import java.time.Instant;

/**
 * Which part of a person's timeline to read: records from {@code from} (inclusive) to {@code to}
 * (exclusive), of one event {@code type} (events only), after {@code cursor}, at most
 * {@code limit}. Null means no bound.
 */
public record TimelineQuery(Instant from, Instant to, String type, String cursor, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public TimelineQuery {
        if (cursor != null && cursor.isBlank()) cursor = null;
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
}
