package dev.lethe.goals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Goal definitions and the events that achieved them. Methods run on the caller's handle. */
public interface GoalStore {

    void insert(Handle h, String accountId, Goal goal, Instant at);

    List<Goal> list(Handle h, String accountId);

    /**
     * The goal, its row locked until the transaction ends (so it cannot be deleted meanwhile, nor
     * something saved that names it while it is being deleted); empty when there is none.
     */
    Optional<Goal> lock(Handle h, String accountId, String goalId);

    /** Deletes the goal and every record of it being achieved. */
    boolean delete(Handle h, String accountId, String goalId);

    boolean nameTaken(Handle h, String accountId, String name);

    /** Records achievements; one already recorded (same goal and event) is kept as it is. */
    void insertHits(Handle h, String accountId, List<GoalHit> hits);

    /** A subject's achievements, oldest first. */
    List<GoalHit> hitsOf(Handle h, String accountId, String subjectId);

    /** The stored events of one type, oldest first, as achievements-to-be of a goal. */
    List<GoalHit> eventsOfType(Handle h, String accountId, String goalId, String eventType);
}
