package dev.lethe.goals;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Goal definitions in SQL; the match is stored as a small JSON object. */
public final class JdbcGoalStore implements GoalStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void insert(Handle h, String accountId, Goal goal, Instant at) {
        h.createUpdate("""
                        insert into goals (account_id, goal_id, name, event_type, match_json, created_at)
                        values (:account, :id, :name, :type, :match, :at)
                        """)
                .bind("account", accountId)
                .bind("id", goal.goalId())
                .bind("name", goal.name())
                .bind("type", goal.eventType())
                .bind("match", write(goal.match()))
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public List<Goal> list(Handle h, String accountId) {
        return h.createQuery("select * from goals where account_id = :account order by name")
                .bind("account", accountId)
                .map(JdbcGoalStore::goal)
                .list();
    }

    @Override
    public Optional<Goal> lock(Handle h, String accountId, String goalId) {
        return h.createQuery("select * from goals where account_id = :account and goal_id = :id for update")
                .bind("account", accountId)
                .bind("id", goalId)
                .map(JdbcGoalStore::goal)
                .findOne();
    }

    private static Goal goal(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Goal(
                rs.getString("goal_id"),
                rs.getString("name"),
                rs.getString("event_type"),
                read(rs.getString("match_json")));
    }

    @Override
    public boolean delete(Handle h, String accountId, String goalId) {
        h.createUpdate("delete from goal_hits where account_id = :account and goal_id = :id")
                .bind("account", accountId)
                .bind("id", goalId)
                .execute();
        return h.createUpdate("delete from goals where account_id = :account and goal_id = :id")
                        .bind("account", accountId)
                        .bind("id", goalId)
                        .execute()
                == 1;
    }

    @Override
    public boolean nameTaken(Handle h, String accountId, String name) {
        return h.createQuery("select count(*) from goals where account_id = :account and name = :name")
                        .bind("account", accountId)
                        .bind("name", name)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public void insertHits(Handle h, String accountId, List<GoalHit> hits) {
        if (hits.isEmpty()) return;
        // an event is stored once, so a hit is new unless a goal defined in the same instant
        // already recorded it from the stored events: that race is settled by skipping known ones
        var known = new HashSet<String>();
        for (int from = 0; from < hits.size(); from += 500) {
            var chunk = hits.subList(from, Math.min(hits.size(), from + 500));
            h.createQuery("""
                            select goal_id, event_id from goal_hits
                            where account_id = :account and event_id in (<events>)
                            """)
                    .bind("account", accountId)
                    .bindList(
                            "events",
                            Ids.uuids(chunk.stream().map(GoalHit::eventId).toList()))
                    .map((rs, ctx) -> rs.getString(1) + " " + rs.getString(2))
                    .forEach(known::add);
        }
        var batch = h.prepareBatch("""
                insert into goal_hits
                  (account_id, goal_id, event_id, subject_id, session_id, achieved_at, rule_kind, anchor_at)
                values (:account, :goal, :event, :subject, :session, :at, :rule, :at)
                """);
        int added = 0;
        for (var hit : hits) {
            if (!known.add(hit.goalId() + " " + hit.eventId())) continue;
            batch.bind("account", accountId)
                    .bind("goal", hit.goalId())
                    .bind("event", hit.eventId())
                    .bind("subject", hit.subjectId())
                    .bind("session", hit.sessionId())
                    .bind("rule", hit.ruleKind())
                    .bind("at", utc(hit.achievedAt()))
                    .add();
            added++;
        }
        if (added > 0) batch.execute();
    }

    @Override
    public List<GoalHit> hitsOf(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from goal_hits where account_id = :account and subject_id = :subject
                        order by achieved_at, event_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map((rs, ctx) -> new GoalHit(
                        rs.getString("goal_id"),
                        rs.getString("event_id"),
                        rs.getString("subject_id"),
                        rs.getString("session_id"),
                        rs.getString("rule_kind"),
                        instant(rs, "achieved_at")))
                .list();
    }

    @Override
    public List<GoalHit> eventsOfType(Handle h, String accountId, String goalId, String eventType) {
        return h.createQuery("""
                        select event_id, subject_id, session_id, rule_kind, occurred_at from events
                        where account_id = :account and type = :type order by occurred_at, event_id
                        """)
                .bind("account", accountId)
                .bind("type", eventType)
                .map((rs, ctx) -> new GoalHit(
                        goalId,
                        rs.getString("event_id"),
                        rs.getString("subject_id"),
                        rs.getString("session_id"),
                        rs.getString("rule_kind"),
                        instant(rs, "occurred_at")))
                .list();
    }

    private static String write(Map<String, String> match) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(match));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of texts always serialises", e);
        }
    }

    private static Map<String, String> read(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored goal match does not parse", e);
        }
    }
}
