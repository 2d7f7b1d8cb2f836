package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.storage.Ids;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Saved segments: named profile filters that identify no one. */
public final class Segments {

    private final Jdbi jdbi;
    private final SegmentStore segments;
    private final CriteriaCheck criteria;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public Segments(Jdbi jdbi, SegmentStore segments, CriteriaCheck criteria, AuditLog audit, Ids ids, Clock clock) {
        this.jdbi = jdbi;
        this.segments = segments;
        this.criteria = criteria;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Saves a named filter. Only criteria that identify no one may be saved: a tag, a goal, an
     * engagement level, values of filterable custom fields, a last-visit range or window, an
     * order; never an email or phone.
     */
    public Segment saveSegment(Caller caller, String name, ProfileCriteria filter) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var errors = new ArrayList<FieldError>();
        if (name == null || name.isBlank() || name.length() > 200) {
            errors.add(new FieldError("name", "must be 1 to 200 characters"));
        }
        return jdbi.inTransaction(h -> {
            criteria.resolve(h, caller.accountId(), filter, "filter.", errors);
            if (!errors.isEmpty()) throw new InvalidInputException("The segment is not valid.", errors);
            if (segments.byName(h, caller.accountId(), name.strip()).isPresent()) {
                throw new ConflictException(
                        "A segment of this name exists.", List.of(new FieldError("name", "is taken")));
            }
            var saved = new Segment(ids.next(), name.strip(), filter);
            segments.insert(h, caller.accountId(), saved, clock.instant());
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "segment.save",
                            List.of("segment:" + saved.segmentId()),
                            Map.of()));
            return saved;
        });
    }

    public List<Segment> segments(Caller caller) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.withHandle(h -> segments.list(h, caller.accountId()));
    }
}
