package dev.lethe.profiles;

import dev.lethe.errors.FieldError;
import dev.lethe.goals.GoalService;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Timestamps;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Checks list criteria against the account (its goals, its policy's custom fields) and turns them
 * into what the store filters by: blind indexes instead of tags and field values, goal ids, times.
 * Lists and saved segments check criteria this one way.
 */
public final class CriteriaCheck {

    private final GoalService goals;
    private final PolicyService policies;
    private final ProfileIndexes indexes;
    private final Clock clock;

    public CriteriaCheck(GoalService goals, PolicyService policies, ProfileIndexes indexes, Clock clock) {
        this.goals = goals;
        this.policies = policies;
        this.indexes = indexes;
        this.clock = clock;
    }

    /** Criteria checked and turned into what the store filters by. */
    record Resolved(
            String tagIndex,
            String goalId,
            String engagement,
            Map<String, String> fieldIndexes,
            Instant from,
            Instant to,
            String sort) {}

    /**
     * The criteria resolved, adding an error per problem under {@code prefix}; null when there
     * were any.
     */
    Resolved resolve(Handle h, String accountId, ProfileCriteria c, String prefix, List<FieldError> errors) {
        int before = errors.size();
        if (c.sort() != null && !ProfileFilter.SORTS.contains(c.sort())) {
            errors.add(new FieldError(prefix + "sort", "must be one of firstVisit, lastVisit, visits"));
        }
        if (c.engagement() != null && !Engagement.LEVELS.contains(c.engagement())) {
            errors.add(new FieldError(prefix + "engagement", "must be one of " + String.join(", ", Engagement.LEVELS)));
        }
        if (c.tag() != null && (c.tag().isBlank() || c.tag().length() > 100))
            errors.add(new FieldError(prefix + "tag", "a tag is 1 to 100 characters"));
        String goalId = null;
        if (c.goal() != null) {
            var goal = goals.find(h, accountId, c.goal());
            if (goal.isEmpty()) errors.add(new FieldError(prefix + "goal", "no such goal in this account"));
            else goalId = goal.get().goalId();
        }
        var fieldIndexes = fieldIndexes(accountId, c.fields(), prefix, errors);
        Instant windowStart = c.lastVisitWithin() == null ? null : windowStart(c.lastVisitWithin());
        if (c.lastVisitWithin() != null && windowStart == null)
            errors.add(new FieldError(prefix + "lastVisitWithin", "reaches back before the year 1"));
        if (errors.size() > before) return null;
        Instant from = c.lastVisitWithin() != null ? windowStart : c.lastVisitFrom();
        String tag = c.tag() == null ? null : indexes.tagIndex(accountId, c.tag());
        String sort = c.sort() == null ? "lastVisit" : c.sort();
        return new Resolved(tag, goalId, c.engagement(), fieldIndexes, from, c.lastVisitTo(), sort);
    }

    /**
     * Where a window of the last visit starts now, or null when it starts before the years Lethe
     * takes (a period of a billion years would overflow the calendar, and the databases).
     */
    private Instant windowStart(Period within) {
        try {
            Instant start = clock.instant().atZone(ZoneOffset.UTC).minus(within).toInstant();
            return start.isBefore(Timestamps.EARLIEST) ? null : start;
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * Holds the custom fields a filter names until the transaction of {@code h} ends (see {@link
     * PolicyService#holdVersions}): a segment saved while a field is being removed either waits
     * for the removal, and is then refused, or makes the removal see it and refuse.
     */
    void holdFields(Handle h, String accountId) {
        policies.holdVersions(h, accountId);
    }

    /** Blind indexes of the values asked for, by field key; only filterable custom fields qualify. */
    private Map<String, String> fieldIndexes(
            String accountId, Map<String, String> fields, String prefix, List<FieldError> errors) {
        var out = new LinkedHashMap<String, String>();
        if (fields.isEmpty()) return out;
        var custom =
                policies.inForce(accountId).map(v -> v.policy().customFields()).orElse(Map.of());
        fields.forEach((key, value) -> {
            String at = prefix + (prefix.isEmpty() ? "field." : "fields.") + key;
            var field = custom.get(key);
            if (field == null) {
                errors.add(new FieldError(
                        at,
                        custom.isEmpty()
                                ? "the account has no custom fields"
                                : "no custom field '" + key + "' (" + String.join(", ", custom.keySet()) + ")"));
            } else if (!field.filterable()) {
                errors.add(
                        new FieldError(
                                at,
                                "custom field '" + key
                                        + "' is not filterable; declare it filterable (only a field that does not identify a person)"));
            } else if (!field.type().accepts(value.strip())) {
                errors.add(new FieldError(at, "must be a " + field.type().wireName()));
            } else {
                out.put(key, indexes.fieldIndex(accountId, field, value));
            }
        });
        return out;
    }
}
