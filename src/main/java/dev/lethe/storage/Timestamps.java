package dev.lethe.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Instants to and from {@code timestamp with time zone} columns, the same way in every store. */
public final class Timestamps {

    private Timestamps() {}

    /** The first instant Lethe accepts from outside: years before it cannot be a collection time. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    /** The end of the instants Lethe accepts (exclusive): both engines store these, and periods added to them stay in range. */
    public static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

    /** What a caller is told when a time is not one Lethe takes. */
    public static final String EXPECTED =
            "must be an ISO-8601 instant between the years 1 and 9998, such as 2026-01-31T12:00:00Z";

    /**
     * A time sent by a caller: an ISO-8601 instant within [{@link #EARLIEST}, {@link #LATEST}), or
     * empty. A time a billion years away parses as an instant but breaks date arithmetic and the
     * databases' timestamp range.
     */
    public static Optional<Instant> parse(String text) {
        if (text == null) return Optional.empty();
        try {
            Instant t = Instant.parse(text.strip());
            return t.isBefore(EARLIEST) || !t.isBefore(LATEST) ? Optional.empty() : Optional.of(t);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The instant as a UTC timestamp to bind; null stays null. */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A timestamp column as an instant; null stays null. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        var value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
