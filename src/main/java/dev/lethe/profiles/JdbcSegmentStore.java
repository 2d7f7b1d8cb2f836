package dev.lethe.profiles;

import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Saved segments in SQL; the filter is a small JSON object. */
public final class JdbcSegmentStore implements SegmentStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void insert(Handle h, String accountId, Segment s, Instant at) {
        ObjectNode filter = JSON.createObjectNode();
        if (s.tag() != null) filter.put("tag", s.tag());
        if (s.lastVisitFrom() != null)
            filter.put("lastVisitFrom", s.lastVisitFrom().toString());
        if (s.lastVisitTo() != null) filter.put("lastVisitTo", s.lastVisitTo().toString());
        if (s.lastVisitWithin() != null)
            filter.put("lastVisitWithin", s.lastVisitWithin().toString());
        if (s.sort() != null) filter.put("sort", s.sort());
        h.createUpdate("""
                        insert into segments (account_id, segment_id, name, filter_json, created_at)
                        values (:account, :id, :name, :filter, :at)
                        """)
                .bind("account", accountId)
                .bind("id", s.segmentId())
                .bind("name", s.name())
                .bind("filter", filter.toString())
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public Optional<Segment> byName(Handle h, String accountId, String name) {
        return h.createQuery("select * from segments where account_id = :account and name = :name")
                .bind("account", accountId)
                .bind("name", name)
                .map(JdbcSegmentStore::segment)
                .findOne();
    }

    @Override
    public List<Segment> list(Handle h, String accountId) {
        return h.createQuery("select * from segments where account_id = :account order by name")
                .bind("account", accountId)
                .map(JdbcSegmentStore::segment)
                .list();
    }

    private static Segment segment(ResultSet rs, StatementContext ctx) throws SQLException {
        try {
            var f = JSON.readTree(rs.getString("filter_json"));
            return new Segment(
                    rs.getString("segment_id"),
                    rs.getString("name"),
                    f.hasNonNull("tag") ? f.get("tag").asText() : null,
                    f.hasNonNull("lastVisitFrom")
                            ? Instant.parse(f.get("lastVisitFrom").asText())
                            : null,
                    f.hasNonNull("lastVisitTo")
                            ? Instant.parse(f.get("lastVisitTo").asText())
                            : null,
                    f.hasNonNull("lastVisitWithin")
                            ? Period.parse(f.get("lastVisitWithin").asText())
                            : null,
                    f.hasNonNull("sort") ? f.get("sort").asText() : null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored segment filter does not parse", e);
        }
    }
}
