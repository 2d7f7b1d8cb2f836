package dev.lethe.goals;

import java.util.List;
import org.jdbi.v3.core.Handle;

/** Goal definitions. Methods run on the caller's handle. */
public interface GoalStore {

    void insert(Handle h, String accountId, Goal goal, java.time.Instant at);

    List<Goal> list(Handle h, String accountId);

    boolean delete(Handle h, String accountId, String goalId);

    boolean nameTaken(Handle h, String accountId, String name);
}
