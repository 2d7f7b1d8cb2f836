package dev.lethe.profiles;

import dev.lethe.errors.FieldError;
import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalReferences;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyReferences;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What saved segments rely on: the goal and the filterable custom fields they filter on. A goal
 * is not deleted, nor a custom field removed or made unfit for a segment's value, while a segment
 * names it; the refusal names each segment, so that no segment is left filtering on nothing.
 */
public final class SegmentReferences implements GoalReferences, PolicyReferences {

    private final SegmentStore segments;

    public SegmentReferences(SegmentStore segments) {
        this.segments = segments;
    }

    /** Segments that name the goal, by its id or its name (as lists find it). */
    @Override
    public List<FieldError> naming(Handle h, String accountId, Goal goal) {
        var out = new ArrayList<FieldError>();
        for (var s : segments.list(h, accountId)) {
            String named = s.criteria().goal();
            if (goal.goalId().equals(named) || goal.name().equals(named)) {
                out.add(new FieldError(
                        "segments." + s.segmentId(),
                        "segment '" + s.name() + "' filters on this goal: change it (PUT /v1/segments/" + s.segmentId()
                                + ") or delete it first"));
            }
        }
        return out;
    }

    /**
     * Segments whose custom field the next version removes, makes unfilterable, or retypes so that
     * the segment's value no longer fits it.
     */
    @Override
    public List<FieldError> brokenBy(Handle h, String accountId, Policy next) {
        var out = new ArrayList<FieldError>();
        for (var s : segments.list(h, accountId)) {
            s.criteria().fields().forEach((key, value) -> {
                var field = next.customFields().get(key);
                String why = field == null
                        ? "removes"
                        : !field.filterable()
                                ? "makes unfilterable"
                                : !field.type().accepts(value.strip()) ? "changes the type of" : null;
                if (why != null) {
                    out.add(new FieldError(
                            "customFields." + key,
                            "segment '" + s.name() + "' (" + s.segmentId() + ") filters on custom field '" + key
                                    + "', which this version " + why + ": change the segment (PUT /v1/segments/"
                                    + s.segmentId() + ") or delete it first"));
                }
            });
        }
        return out;
    }
}
