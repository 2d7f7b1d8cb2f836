package dev.lethe.activity;

import static dev.lethe.storage.Timestamps.utc;

import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.statement.Query;

/**
 * The conditions a timeline page adds to its query: the time bounds and the place after the
 * previous page (newest first: an earlier time, or the same time and a smaller id). Column names
 * are the stores' constants, never input; every value is bound.
 */
final class TimelineSql {

    private TimelineSql() {}

    static String conditions(String timeColumn, String idColumn, Instant from, Instant to, TimelineCursor after) {
        var sql = new StringBuilder();
        if (from != null) sql.append(" and ").append(timeColumn).append(" >= :from");
        if (to != null) sql.append(" and ").append(timeColumn).append(" < :to");
        if (after != null) {
            // "time <= t and (time < t or id < i)": the same rows as "time < t or (time = t and
            // id < i)", with a bound H2 can use in the subject's time index (it cannot with the or)
            sql.append(" and ")
                    .append(timeColumn)
                    .append(" <= :afterAt and (")
                    .append(timeColumn)
                    .append(" < :afterAt or ")
                    .append(idColumn)
                    .append(" < :afterId)");
        }
        return sql.toString();
    }

    static Query bind(Query q, Instant from, Instant to, TimelineCursor after) {
        if (from != null) q.bind("from", utc(from));
        if (to != null) q.bind("to", utc(to));
        if (after != null) {
            q.bind("afterAt", utc(after.at()));
            // a uuid, so both engines compare ids as uuids (the order of the index)
            q.bind("afterId", UUID.fromString(after.id()));
        }
        return q;
    }
}
