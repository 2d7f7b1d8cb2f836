package dev.lethe.requests;

import java.time.Instant;
import java.time.Period;

/**
 * Which requests a queue lists: by status and type, only overdue ones (or only those not overdue),
 * those due within a period, in order of receipt after {@code after}. Null means not filtered.
 */
public record RequestQuery(
        RequestStatus status, RequestType type, Boolean overdue, Period dueWithin, String cursor, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** The instant before which an open request must be due to be listed under {@code dueWithin}. */
    public Instant dueBefore(Instant now) {
        return dueWithin == null
                ? null
                : now.atZone(java.time.ZoneOffset.UTC).plus(dueWithin).toInstant();
    }
}
