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
import dev.lethe.registry.Intake;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.PersonalValues;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The account's goal definitions. */
public final class GoalService {

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final SubjectDirectory subjects;
    private final GoalStore store;
    private final AuditLog audit;
    private final PersonalValues values;
    private final GoalReferences references;
    private final Ids ids;
    private final Clock clock;

    public GoalService(
            Jdbi jdbi,
            Transactions transactions,
            SubjectDirectory subjects,
            GoalStore store,
            PersonalValues values,
            GoalReferences references,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.subjects = subjects;
        this.store = store;
        this.values = values;
        this.references = references;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    /** A goal just defined, and how many stored events already achieved it. */
    public record Defined(Goal goal, int achievedBefore) {}

    /**
     * Defines a goal and records which stored events already achieved it, so lists and profiles
     * count history too. That reads (and, when the goal matches properties, opens) every stored
     * event of the goal's type in the account, in the defining transaction.
     */
    public Defined define(Caller caller, String name, String eventType, Map<String, String> match) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var errors = new ArrayList<FieldError>();
        if (name == null || name.isBlank() || name.length() > 200)
            errors.add(new FieldError("name", "must be 1 to 200 characters"));
        if (eventType == null || !Intake.isEventType(eventType.strip())) {
            errors.add(new FieldError(
                    "eventType", Intake.EVENT_TYPE_EXPECTED + ": the event type that achieves the goal"));
        }
        match.keySet().forEach(k -> {
            if (!k.matches("[A-Za-z0-9_.\\-]{1,100}"))
                errors.add(new FieldError("match." + k, "a property name of letters, digits, _ . -"));
        });
        if (!errors.isEmpty()) throw new InvalidInputException("The goal is not valid.", errors);
        return transactions.inTransaction(h -> {
            if (store.nameTaken(h, caller.accountId(), name.strip())) {
                throw new ConflictException("A goal of this name exists.", List.of(new FieldError("name", "is taken")));
            }
            var goal = new Goal(ids.next(), name.strip(), eventType.strip(), match);
            store.insert(h, caller.accountId(), goal, clock.instant());
            var history = achievedSoFar(h, caller.accountId(), goal);
            // The achievers' rows locked before their hits are written (docs/locks.md): one a merge
            // moved away since the events were read is gone, and the definition starts over.
            subjects.lock(
                    h,
                    caller.accountId(),
                    history.stream()
                            .map(GoalHit::subjectId)
                            .filter(Objects::nonNull)
                            .collect(Collectors.toCollection(TreeSet::new)));
            store.insertHits(h, caller.accountId(), history);
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "goal.define",
                            List.of("goal:" + goal.goalId()),
                            Map.of("achievedBefore", history.size())));
            return new Defined(goal, history.size());
        });
    }

    private List<GoalHit> achievedSoFar(Handle h, String accountId, Goal goal) {
        var candidates = store.eventsOfType(h, accountId, goal.goalId(), goal.eventType());
        if (goal.match().isEmpty() || candidates.isEmpty()) return candidates;
        var properties = new HashMap<String, Map<String, String>>();
        for (var v : values.ofRecords(
                h, accountId, candidates.stream().map(GoalHit::eventId).toList())) {
            if (!"event".equals(v.recordKind())) continue;
            Goal.property(v.field())
                    .ifPresent(p -> properties
                            .computeIfAbsent(v.recordId(), e -> new HashMap<>())
                            .put(p, v.value().value()));
        }
        return candidates.stream()
                .filter(c -> goal.achievedBy(goal.eventType(), properties.getOrDefault(c.eventId(), Map.of())))
                .toList();
    }

    public List<Goal> list(String accountId) {
        return jdbi.withHandle(h -> store.list(h, accountId));
    }

    public List<Goal> list(Handle h, String accountId) {
        return store.list(h, accountId);
    }

    /** The goal with this id, or else this name. */
    public Optional<Goal> find(Handle h, String accountId, String idOrName) {
        var all = store.list(h, accountId);
        return all.stream()
                .filter(g -> g.goalId().equals(idOrName))
                .findFirst()
                .or(() -> all.stream().filter(g -> g.name().equals(idOrName)).findFirst());
    }

    /** Records events of an ingest batch that achieved goals. */
    public void record(Handle h, String accountId, List<GoalHit> hits) {
        store.insertHits(h, accountId, hits);
    }

    /** A subject's achievements, oldest first. */
    public List<GoalHit> hitsOf(Handle h, String accountId, String subjectId) {
        return store.hitsOf(h, accountId, subjectId);
    }

    /**
     * Holds a goal until the transaction ends, for something about to name it (a segment): it
     * cannot be deleted meanwhile, and one deleted meanwhile is not found. Empty when there is none.
     */
    public Optional<Goal> hold(Handle h, String accountId, String goalId) {
        return store.lock(h, accountId, goalId);
    }

    /**
     * Deletes a goal and its records of achievement. A goal that saved segments filter on is not
     * deleted (409 naming each): they would be left filtering on nothing.
     */
    public void delete(Caller caller, String goalId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        jdbi.useTransaction(h -> {
            // locked first, so a segment saved at the same moment either is seen here or finds the goal gone
            var goal =
                    store.lock(h, caller.accountId(), goalId).orElseThrow(() -> new NotFoundException("No such goal."));
            var naming = references.naming(h, caller.accountId(), goal);
            if (!naming.isEmpty()) {
                throw new ConflictException("Saved segments filter on this goal: change or delete them first.", naming);
            }
            store.delete(h, caller.accountId(), goalId);
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(), caller.actor(), "goal.delete", List.of("goal:" + goalId), Map.of()));
        });
    }
}
