package dev.lethe.goals;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Ids;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The account's goal definitions. */
public final class GoalService {

    private final Jdbi jdbi;
    private final GoalStore store;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public GoalService(Jdbi jdbi, GoalStore store, AuditLog audit, Ids ids, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    public Goal define(Caller caller, String name, String eventType, Map<String, String> match) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var errors = new ArrayList<FieldError>();
        if (name == null || name.isBlank() || name.length() > 200)
            errors.add(new FieldError("name", "must be 1 to 200 characters"));
        if (eventType == null || eventType.isBlank() || eventType.length() > 200) {
            errors.add(
                    new FieldError("eventType", "must be 1 to 200 characters: the event type that achieves the goal"));
        }
        match.keySet().forEach(k -> {
            if (!k.matches("[A-Za-z0-9_.\\-]{1,100}"))
                errors.add(new FieldError("match." + k, "a property name of letters, digits, _ . -"));
        });
        if (!errors.isEmpty()) throw new InvalidInputException("The goal is not valid.", errors);
        return jdbi.inTransaction(h -> {
            if (store.nameTaken(h, caller.accountId(), name.strip())) {
                throw new ConflictException("A goal of this name exists.", List.of(new FieldError("name", "is taken")));
            }
            var goal = new Goal(ids.next("goal"), name.strip(), eventType.strip(), match);
            store.insert(h, caller.accountId(), goal, clock.instant());
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "goal.define",
                            List.of("goal:" + goal.goalId()),
                            Map.of()));
            return goal;
        });
    }

    public List<Goal> list(String accountId) {
        return jdbi.withHandle(h -> store.list(h, accountId));
    }

    public void delete(Caller caller, String goalId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        jdbi.useTransaction(h -> {
            if (!store.delete(h, caller.accountId(), goalId)) throw new NotFoundException("No such goal.");
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(), caller.actor(), "goal.delete", List.of("goal:" + goalId), Map.of()));
        });
    }
}
