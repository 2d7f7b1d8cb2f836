package dev.lethe.goals;

import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

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
                .map((rs, ctx) -> new Goal(
                        rs.getString("goal_id"),
                        rs.getString("name"),
                        rs.getString("event_type"),
                        read(rs.getString("match_json"))))
                .list();
    }

    @Override
    public boolean delete(Handle h, String accountId, String goalId) {
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
