package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.goals.GoalService;
import dev.lethe.storage.Ids;
import dev.lethe.storage.SqlStates;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Saved segments: named profile filters that identify no one. A segment keeps what it filters on
 * as it was saved; a goal or custom field it names cannot be deleted under it (see {@link
 * SegmentReferences}), and one whose goal or field went before that rule still reads, changes and
 * deletes, and says what it misses.
 */
public final class Segments {

    private static final String NAMES_A_PERSON =
            "a saved segment cannot name a person; filter by tag, goal, engagement, fields or last visit";

    private final Jdbi jdbi;
    private final SegmentStore segments;
    private final CriteriaCheck criteria;
    private final GoalService goals;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public Segments(
            Jdbi jdbi,
            SegmentStore segments,
            CriteriaCheck criteria,
            GoalService goals,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.jdbi = jdbi;
        this.segments = segments;
        this.criteria = criteria;
        this.goals = goals;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * What a caller asks a segment to be: a name and a filter. A filter may be asked for an exact
     * email or phone, as a list can; a segment refuses them, since its definition would then name
     * a person.
     */
    public record Definition(String name, String email, String phone, ProfileCriteria filter) {}

    /** A saved segment and what it misses now (a goal or custom field gone since it was saved). */
    public record Checked(Segment segment, List<FieldError> problems) {}

    /**
     * Saves a named filter. Only criteria that identify no one may be saved: a tag, a goal, an
     * engagement level, values of filterable custom fields, a last-visit range or window, an
     * order; never an email or phone.
     */
    public Segment saveSegment(Caller caller, Definition definition) {
        AccountService.requireScope(caller, Scope.ADMIN);
        return jdbi.inTransaction(h -> {
            var saved =
                    new Segment(ids.next(), validName(h, caller.accountId(), definition, null), definition.filter());
            try {
                segments.insert(h, caller.accountId(), saved, clock.instant());
            } catch (RuntimeException e) {
                throw takenUnder(e);
            }
            audited(h, caller, "segment.save", saved.segmentId());
            return saved;
        });
    }

    /** Replaces a segment's name and filter, checked as when it was saved. */
    public Segment changeSegment(Caller caller, String segmentId, Definition definition) {
        AccountService.requireScope(caller, Scope.ADMIN);
        return jdbi.inTransaction(h -> {
            if (segments.byId(h, caller.accountId(), segmentId).isEmpty()) throw notFound();
            var changed = new Segment(
                    segmentId, validName(h, caller.accountId(), definition, segmentId), definition.filter());
            boolean found;
            try {
                found = segments.update(h, caller.accountId(), changed);
            } catch (RuntimeException e) {
                throw takenUnder(e);
            }
            if (!found) throw notFound();
            audited(h, caller, "segment.change", segmentId);
            return changed;
        });
    }

    /** Deletes a segment; its name is free again. */
    public void deleteSegment(Caller caller, String segmentId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        jdbi.useTransaction(h -> {
            if (!segments.delete(h, caller.accountId(), segmentId)) throw notFound();
            audited(h, caller, "segment.delete", segmentId);
        });
    }

    public Checked segment(Caller caller, String segmentId) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.inTransaction(h -> {
            var s = segments.byId(h, caller.accountId(), segmentId).orElseThrow(Segments::notFound);
            return new Checked(s, problems(h, caller.accountId(), s));
        });
    }

    public List<Checked> segments(Caller caller) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.inTransaction(h -> segments.list(h, caller.accountId()).stream()
                .map(s -> new Checked(s, problems(h, caller.accountId(), s)))
                .toList());
    }

    /** The segment of this name in the account, for a list to use. */
    Optional<Segment> byName(Handle h, String accountId, String name) {
        return segments.byName(h, accountId, name);
    }

    /**
     * What the segment misses now, each at its path in the filter: a goal or custom field that
     * was deleted (or changed) after it was saved. Empty for a segment that lists as saved.
     */
    List<FieldError> problems(Handle h, String accountId, Segment s) {
        var found = new ArrayList<FieldError>();
        criteria.resolve(h, accountId, s.criteria(), "filter.", found);
        return found.stream()
                .map(e -> e.path().equals("filter.goal")
                        ? new FieldError(
                                e.path(), "goal '" + s.criteria().goal() + "' no longer exists in this account")
                        : e)
                .toList();
    }

    /**
     * The definition's name, stripped, once every rule holds: a name of 1 to 200 characters not
     * taken by another segment ({@code except}), no person named, criteria that fit the account
     * (422 with every error, 409 for a taken name). The goal it names is held until the
     * transaction ends, so that it cannot be deleted under the segment being saved.
     */
    private String validName(Handle h, String accountId, Definition d, String except) {
        var errors = new ArrayList<FieldError>();
        String name = d.name() == null ? null : d.name().strip();
        if (name == null || name.isEmpty() || name.length() > 200) {
            errors.add(new FieldError("name", "must be 1 to 200 characters"));
        }
        if (d.email() != null) errors.add(new FieldError("filter.email", NAMES_A_PERSON));
        if (d.phone() != null) errors.add(new FieldError("filter.phone", NAMES_A_PERSON));
        criteria.holdFields(h, accountId);
        var resolved = criteria.resolve(h, accountId, d.filter(), "filter.", errors);
        if (resolved != null
                && resolved.goalId() != null
                && goals.hold(h, accountId, resolved.goalId()).isEmpty()) {
            errors.add(new FieldError("filter.goal", "no such goal in this account"));
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The segment is not valid.", errors);
        var holder = segments.byName(h, accountId, name);
        if (holder.isPresent() && !holder.get().segmentId().equals(except)) throw nameTaken();
        return name;
    }

    private static ConflictException nameTaken() {
        return new ConflictException("A segment of this name exists.", List.of(new FieldError("name", "is taken")));
    }

    /**
     * A name another request took between the check and the write (the unique index caught it):
     * the same 409 as when the check sees it, never a 500 whose log would hold the name.
     */
    private static RuntimeException takenUnder(RuntimeException e) {
        return SqlStates.isUniqueViolation(e) ? nameTaken() : e;
    }

    private void audited(Handle h, Caller caller, String action, String segmentId) {
        audit.append(
                h,
                AuditEvent.ok(caller.accountId(), caller.actor(), action, List.of("segment:" + segmentId), Map.of()));
    }

    private static NotFoundException notFound() {
        return new NotFoundException("No such segment.");
    }
}
