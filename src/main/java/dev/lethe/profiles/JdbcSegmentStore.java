package dev.lethe.profiles;

import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Saved segments in SQL; the filter is a small JSON object. */
public final class JdbcSegmentStore implements SegmentStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void insert(Handle h, String accountId, Segment s, Instant at) {
        h.createUpdate("""
                        insert into segments (account_id, segment_id, name, filter_json, created_at)
                        values (:account, :id, :name, :filter, :at)
                        """)
                .bind("account", accountId)
                .bind("id", s.segmentId())
                .bind("name", s.name())
                .bind("filter", filterJson(s.criteria()))
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public boolean update(Handle h, String accountId, Segment s) {
        return h.createUpdate("""
                                update segments set name = :name, filter_json = :filter
                                where account_id = :account and segment_id = :id
                                """)
                        .bind("account", accountId)
                        .bind("id", s.segmentId())
                        .bind("name", s.name())
                        .bind("filter", filterJson(s.criteria()))
                        .execute()
                == 1;
    }

    @Override
    public boolean delete(Handle h, String accountId, String segmentId) {
        return h.createUpdate("delete from segments where account_id = :account and segment_id = :id")
                        .bind("account", accountId)
                        .bind("id", segmentId)
                        .execute()
                == 1;
    }

    @Override
    public Optional<Segment> byId(Handle h, String accountId, String segmentId) {
        return h.createQuery("select * from segments where account_id = :account and segment_id = :id")
                .bind("account", accountId)
                .bind("id", segmentId)
                .map(JdbcSegmentStore::segment)
                .findOne();
    }

    private static String filterJson(ProfileCriteria c) {
        ObjectNode filter = JSON.createObjectNode();
        if (c.tag() != null) filter.put("tag", c.tag());
        if (c.goal() != null) filter.put("goal", c.goal());
        if (c.engagement() != null) filter.put("engagement", c.engagement());
        if (!c.fields().isEmpty()) {
            ObjectNode fields = filter.putObject("fields");
            c.fields().forEach(fields::put);
        }
        if (c.lastVisitFrom() != null)
            filter.put("lastVisitFrom", c.lastVisitFrom().toString());
        if (c.lastVisitTo() != null) filter.put("lastVisitTo", c.lastVisitTo().toString());
        if (c.lastVisitWithin() != null)
            filter.put("lastVisitWithin", c.lastVisitWithin().toString());
        if (c.sort() != null) filter.put("sort", c.sort());
        return filter.toString();
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
            var fields = new LinkedHashMap<String, String>();
            if (f.hasNonNull("fields"))
                f.get("fields")
                        .fields()
                        .forEachRemaining(
                                e -> fields.put(e.getKey(), e.getValue().asText()));
            return new Segment(
                    rs.getString("segment_id"),
                    rs.getString("name"),
                    new ProfileCriteria(
                            text(f, "tag"),
                            text(f, "goal"),
                            text(f, "engagement"),
                            fields,
                            f.hasNonNull("lastVisitFrom")
                                    ? Instant.parse(f.get("lastVisitFrom").asText())
                                    : null,
                            f.hasNonNull("lastVisitTo")
                                    ? Instant.parse(f.get("lastVisitTo").asText())
                                    : null,
                            f.hasNonNull("lastVisitWithin")
                                    ? Period.parse(f.get("lastVisitWithin").asText())
                                    : null,
                            text(f, "sort")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored segment filter does not parse", e);
        }
    }

    private static String text(JsonNode f, String key) {
        return f.hasNonNull(key) ? f.get(key).asText() : null;
    }
}
