package dev.lethe.goals;

import dev.lethe.errors.FieldError;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What else in an account names a goal (saved segments filter on one). A goal that something
 * names is not deleted under it: the deletion is refused, naming each, so that nothing is left
 * pointing at a goal that no longer exists.
 */
public interface GoalReferences {

    /** Nothing names goals. */
    GoalReferences NONE = (h, accountId, goal) -> List.of();

    /** One error per thing that names the goal, each with its path and what to do; empty when none. */
    List<FieldError> naming(Handle h, String accountId, Goal goal);
}
