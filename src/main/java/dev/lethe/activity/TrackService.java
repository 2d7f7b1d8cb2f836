package dev.lethe.activity;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditLog;
import dev.lethe.consent.ConsentGate;
import dev.lethe.consent.ConsentReport;
import dev.lethe.consent.Consents;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalHit;
import dev.lethe.goals.GoalService;
import dev.lethe.input.Batch;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.AfterErasure;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Ingest of tracked events. Each value of an event is classified by the policy: a field without a
 * category refuses the event (with the field's path) while the rest of the batch is stored; a
 * switched-off optional category drops the value; a value already past its retention is not
 * stored. Events join sessions, which end after a pause longer than the session timeout.
 */
public final class TrackService {

    /** The largest batch accepted in one call. */
    public static final int MAX_BATCH = 1000;

    private static final List<String> SUMMARY_FIELDS = List.of("context.referrer", "context.campaign", "context.url");

    private final Jdbi jdbi;
    private final ActivityStore store;
    private final StatisticsStore statistics;
    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final PolicyService policies;
    private final GoalService goals;
    private final Partitions partitions;
    private final Consents consents;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final Restrictions restrictions;
    private final Duration sessionTimeout;
    private final Transactions transactions;

    public TrackService(
            Jdbi jdbi,
            Transactions transactions,
            ActivityStore store,
            StatisticsStore statistics,
            SubjectDirectory subjects,
            PersonalValues values,
            PolicyService policies,
            GoalService goals,
            Partitions partitions,
            Consents consents,
            AuditLog audit,
            Ids ids,
            Clock clock,
            Duration sessionTimeout,
            Restrictions restrictions) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.store = store;
        this.statistics = statistics;
        this.subjects = subjects;
        this.values = values;
        this.policies = policies;
        this.goals = goals;
        this.partitions = partitions;
        this.consents = consents;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        this.sessionTimeout = sessionTimeout;
        this.restrictions = restrictions;
    }

    /** Days from and to, inclusive. */
    public record DayRange(LocalDate from, LocalDate to) {}

    /**
     * The range asked for, with defaults (to: today in UTC; from: 30 days before); 400 when from
     * is after to or more than 366 days before it.
     */
    public DayRange statisticsRange(LocalDate from, LocalDate to) {
        var last = to != null ? to : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        var first = from != null ? from : last.minusDays(30);
        if (first.isAfter(last) || ChronoUnit.DAYS.between(first, last) > 366) {
            throw new BadRequestException(
                    "Bad range.",
                    List.of(new FieldError("from", "must be on or before 'to', and at most 366 days before it")));
        }
        return new DayRange(first, last);
    }

    /** The account's anonymous daily counts in a range of days. */
    public List<DailyCount> statistics(Caller caller, DayRange range) {
        AccountService.requireScope(caller, Scope.READ);
        return jdbi.withHandle(h -> statistics.between(h, caller.accountId(), range.from(), range.to()));
    }

    /**
     * Stores what can be stored of the batch. An event the reader refused is checked all the same,
     * so its answer names every mistake at once; 422 when the batch holds more than
     * {@link #MAX_BATCH} events.
     */
    public TrackResult track(Caller caller, Batch<IncomingEvent> batch) {
        return track(caller, batch, false);
    }

    /**
     * As {@link #track(Caller, Batch)}; {@code gpc} is a {@code Sec-GPC: 1} header on the request:
     * an objection to targeting for each person of the batch, recorded in the consent ledger and
     * honoured at once.
     */
    public TrackResult track(Caller caller, Batch<IncomingEvent> batch, boolean gpc) {
        AccountService.requireScope(caller, Scope.INGEST);
        var events = batch.items();
        if (events.size() > MAX_BATCH) {
            throw new InvalidInputException(
                    "The batch is too large.",
                    List.of(new FieldError(
                            "events", "at most " + MAX_BATCH + " events per call, not " + events.size())));
        }
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        Instant now = clock.instant();
        var rejected = new LinkedHashMap<Integer, List<FieldError>>();
        var eventRule = GoverningRules.firstOfKind(policy, RecordKind.EVENT);
        boolean keepSessions =
                GoverningRules.firstOfKind(policy, RecordKind.SESSION).isPresent();
        boolean keepSummaries =
                GoverningRules.firstOfKind(policy, RecordKind.SESSION_SUMMARY).isPresent();
        EventTimes storable = partitions.accepted();

        var accepted = new ArrayList<Accepted>();
        int dropped = 0;
        var expired = new ArrayList<TrackResult.Expired>();
        for (int i = 0; i < events.size(); i++) {
            var e = events.get(i);
            var errors = new ArrayList<FieldError>();
            String at = "events[" + i + "]";
            if (eventRule.isEmpty()) {
                errors.add(
                        new FieldError(
                                at,
                                "the policy declares no record of kind 'event', so events have no retention rule and cannot be stored"));
            }
            var visitor = IdentifierKind.VISITOR.normalise(e.visitorId());
            if (visitor.isEmpty()) errors.add(new FieldError(at + ".visitorId", IdentifierKind.VISITOR.problem()));
            if (!Intake.isEventType(e.type())) errors.add(new FieldError(at + ".type", Intake.EVENT_TYPE_EXPECTED));
            Instant ts = e.ts() == null ? now : e.ts();
            if (Intake.inTheFuture(ts, now)) errors.add(new FieldError(at + ".ts", "is in the future"));
            // an event its rule has already expired is reported as expired, wherever its time lies
            boolean expiredByRule = eventRule
                    .flatMap(r -> r.retention().expiryByCollection(ts))
                    .filter(expiry -> !expiry.isAfter(now))
                    .isPresent();
            if (!expiredByRule && !storable.contains(ts)) errors.add(new FieldError(at + ".ts", storable.problem()));
            var singles = new LinkedHashMap<String, List<Sensitive>>();
            e.values().forEach((f, v) -> singles.put(f, List.of(v)));
            var intake = Intake.sort(singles, f -> Classification.of(policy, f), ts, now, at + ".");
            errors.addAll(intake.refused());
            dropped += intake.dropped();
            int index = i;
            intake.expired().forEach(f -> expired.add(new TrackResult.Expired(index, f)));
            var kept = intake.kept();
            var read = batch.refused().getOrDefault(i, List.of());
            if (!errors.isEmpty() || !read.isEmpty()) {
                rejected.put(i, JsonFields.merge(read, errors));
                continue;
            }
            if (expiredByRule) {
                expired.add(new TrackResult.Expired(i, "event"));
                continue;
            }
            accepted.add(new Accepted(
                    i, subjects.blindIndex(accountId, IdentifierKind.VISITOR, visitor.get()), e, ts, kept));
        }

        int droppedValues = dropped;
        var tally = new ConsentReport.Tally(gpc);
        if (accepted.isEmpty()) {
            var result = TrackResult.of(0, rejected, droppedValues, expired, 0, tally.report());
            audit.append(result.auditEvent(accountId, caller.actor(), "activity.track"));
            return result;
        }
        // The audit entry in the same transaction: no events are stored without it.
        return transactions.inTransaction(h -> {
            // a retried transaction counts afresh
            var counted = new ConsentReport.Tally(gpc);
            var outcome = store(h, caller, policy, accepted, keepSessions, keepSummaries, now, counted);
            var leftOut = outcome.leftOut();
            var refused = new LinkedHashMap<>(rejected);
            int stored = 0;
            int suppressed = 0;
            for (var a : accepted) {
                if (outcome.suppressed().contains(a.visitorIndex())) {
                    suppressed++;
                } else if (leftOut.containsKey(a.visitorIndex())) {
                    refused.put(
                            a.index(),
                            List.of(new FieldError(
                                    "events[" + a.index() + "].visitorId", leftOut.get(a.visitorIndex()))));
                } else {
                    stored++;
                }
            }
            var result = TrackResult.of(stored, refused, droppedValues, expired, suppressed, counted.report());
            audit.append(h, result.auditEvent(accountId, caller.actor(), "activity.track"));
            return result;
        });
    }

    private record Accepted(
            int index, String visitorIndex, IncomingEvent event, Instant ts, List<Intake.Kept<Sensitive>> values) {}

    /**
     * The visitors (blind indexes) whose events a batch left out: refused, each with why (the
     * person's data was erased — their key destroyed, their rows not purged yet — or their
     * processing is restricted); and dropped, those on the suppression list.
     */
    private record Outcome(Map<String, String> leftOut, Set<String> suppressed) {}

    /**
     * Stores the batch, each person's values through the consent gate; returns the visitors whose
     * events it left out.
     */
    private Outcome store(
            Handle h,
            Caller caller,
            Policy policy,
            List<Accepted> batch,
            boolean keepSessions,
            boolean keepSummaries,
            Instant now,
            ConsentReport.Tally consent) {
        String accountId = caller.accountId();
        var firstSeen = new HashMap<String, Instant>();
        var lastSeen = new HashMap<String, Instant>();
        for (var a : batch) {
            firstSeen.merge(a.visitorIndex(), a.ts(), (x, y) -> x.isBefore(y) ? x : y);
            lastSeen.merge(a.visitorIndex(), a.ts(), (x, y) -> x.isAfter(y) ? x : y);
        }
        // An erased person's visitor ids are on the suppression list: what names them is dropped,
        // or starts someone new, as the policy says; it never finds the erased person again.
        boolean drop = policy.ingest().afterErasure() == AfterErasure.DROP;
        var suppression = subjects.suppressions();
        Set<String> suppressed =
                drop ? suppression.suppressed(h, accountId, IdentifierKind.VISITOR, firstSeen.keySet(), now) : Set.of();
        if (!suppressed.isEmpty()) {
            suppressed.forEach(firstSeen::remove);
            batch = batch.stream()
                    .filter(a -> !suppressed.contains(a.visitorIndex()))
                    .toList();
            if (batch.isEmpty()) return new Outcome(Map.of(), suppressed);
        }
        String anonymousType = policy.anonymousType();
        Map<String, String> subjectOf = subjects.visitors(h, accountId, anonymousType, firstSeen);
        // Lock order (docs/locks.md): the batch's subjects first, in id order, then their keys.
        var locked = subjects.lock(h, accountId, new HashSet<>(subjectOf.values()));
        // An erasure that committed since the list was read (and whose purge may have deleted the
        // identifiers, so a new visitor was made above): start over, and find it on the list.
        if (drop
                && !suppression
                        .suppressed(h, accountId, IdentifierKind.VISITOR, subjectOf.keySet(), now)
                        .isEmpty()) {
            throw new Transactions.Retry("a visitor of the batch was erased meanwhile");
        }
        var erased = new HashMap<String, String>();
        var restricted = restrictions.restrictedAmong(h, accountId, subjectOf.values());
        subjectOf.forEach((visitor, subject) -> {
            if (locked.isErased(subject))
                erased.put(visitor, "this visitor's data was erased; events for it are not stored");
            else if (restricted.contains(subject))
                erased.put(
                        visitor,
                        "this person's processing is restricted (GDPR Art. 18); events for them are not stored");
        });
        if (!erased.isEmpty()) {
            batch = batch.stream()
                    .filter(a -> !erased.containsKey(a.visitorIndex()))
                    .toList();
            erased.keySet().forEach(subjectOf::remove);
        }
        var rules = new Rules(policy, typesOf(h, accountId, policy, subjectOf.values()));
        batch = gate(h, caller, policy, batch, subjectOf, consent);

        var goalList = goals.list(h, accountId);
        var hits = new ArrayList<GoalHit>();
        var sorted = new ArrayList<>(batch);
        sorted.sort(Comparator.comparing(Accepted::ts));
        var sessions = new BatchSessions(
                store, subjects, ids, sessionTimeout, h, accountId, keepSessions ? subjectOf.keySet() : List.of());
        var events = new ArrayList<Event>(sorted.size());
        var newValues = new ArrayList<NewValue>();
        var tally = new Tally();
        for (var a : sorted) {
            tally.event(a.ts(), a.event().type());
            String subjectId = subjectOf.get(a.visitorIndex());
            String eventId = ids.next();
            String sessionId = null;
            String eventRule = rules.of(RecordKind.EVENT, subjectId);
            if (keepSessions) {
                var joined = sessions.join(
                        a.visitorIndex(),
                        a.event().sessionId(),
                        a.ts(),
                        a.event().type(),
                        subjectId,
                        rules.of(RecordKind.SESSION, subjectId));
                sessionId = joined.session().sessionId();
                if (joined.isNew()) tally.session(a.ts(), valueOf(a, "context.referrer"));
                if (joined.isNew() && keepSummaries) {
                    for (var v : a.values()) {
                        if (SUMMARY_FIELDS.contains(v.field())) {
                            newValues.add(new NewValue(
                                    subjectId,
                                    v.category(),
                                    v.field(),
                                    a.ts(),
                                    "session_summary",
                                    sessionId,
                                    rules.of(RecordKind.SESSION_SUMMARY, subjectId),
                                    a.ts(),
                                    v.value()));
                        }
                    }
                }
            }
            events.add(new Event(eventId, subjectId, sessionId, a.event().type(), eventRule, a.ts(), now));
            if (!goalList.isEmpty()) {
                var properties = new HashMap<String, String>();
                for (var v : a.values())
                    Goal.property(v.field())
                            .ifPresent(p -> properties.put(p, v.value().value()));
                for (var goal : goalList) {
                    if (goal.achievedBy(a.event().type(), properties))
                        hits.add(new GoalHit(goal.goalId(), eventId, subjectId, sessionId, eventRule, a.ts()));
                }
            }
            for (var v : a.values()) {
                newValues.add(new NewValue(
                        subjectId, v.category(), v.field(), a.ts(), "event", eventId, eventRule, a.ts(), v.value()));
            }
        }
        store.insertEvents(h, accountId, events);
        sessions.write();
        statistics.add(h, accountId, tally.counts());
        values.store(h, accountId, newValues);
        goals.record(h, accountId, hits);
        var ranges = new HashMap<String, Instant[]>();
        subjectOf.forEach((visitor, subject) ->
                ranges.put(subject, new Instant[] {firstSeen.get(visitor), lastSeen.get(visitor)}));
        subjects.store().seenAll(h, accountId, ranges);
        return new Outcome(erased, suppressed);
    }

    /**
     * The batch with only the values each person's consents allow (DESIGN promise 8); a GPC
     * header is recorded as each person's objection to targeting first.
     */
    private List<Accepted> gate(
            Handle h,
            Caller caller,
            Policy policy,
            List<Accepted> batch,
            Map<String, String> subjectOf,
            ConsentReport.Tally tally) {
        var people = new HashSet<>(subjectOf.values());
        var gpcApplies = tally.gpc() ? consents.objectByGpc(h, caller.accountId(), people, caller.actor()) : Set.of();
        var standings = consents.standings(h, caller.accountId(), people);
        standings.values().forEach(s -> {
            if (s.minor()) tally.minor();
        });
        var out = new ArrayList<Accepted>(batch.size());
        for (var a : batch) {
            String subject = subjectOf.get(a.visitorIndex());
            var standing = standings.get(subject);
            out.add(new Accepted(
                    a.index(),
                    a.visitorIndex(),
                    a.event(),
                    a.ts(),
                    ConsentGate.filter(policy, null, standing, gpcApplies.contains(subject), a.values(), tally)));
        }
        return out;
    }

    private static Optional<String> valueOf(Accepted a, String field) {
        return a.values().stream()
                .filter(v -> v.field().equals(field))
                .map(v -> v.value().value())
                .findFirst();
    }

    static boolean isPageView(String type) {
        return "page_view".equals(type) || "page".equals(type) || "pageview".equals(type);
    }

    /**
     * The subject type of each subject of a batch, read only when a rule of the policy tells events,
     * sessions or summaries apart by subject type (otherwise every subject matches alike).
     */
    private Map<String, String> typesOf(Handle h, String accountId, Policy policy, Collection<String> subjectIds) {
        boolean bySubject = policy.records().values().stream()
                .anyMatch(r -> TRACKED_KINDS.contains(r.kind()) && r.match().containsKey("subject"));
        if (!bySubject) return Map.of();
        return subjects.store().typesOf(h, accountId, subjectIds);
    }

    private static final List<RecordKind> TRACKED_KINDS =
            List.of(RecordKind.EVENT, RecordKind.SESSION, RecordKind.SESSION_SUMMARY);

    /**
     * The record rule that governs an event, a session or a summary of a subject: the first of its
     * kind that the subject's type matches, else the first of its kind (null if the policy has none).
     */
    private record Rules(Policy policy, Map<String, String> types) {
        String of(RecordKind kind, String subjectId) {
            String type = types.get(subjectId);
            var rule = type == null
                    ? GoverningRules.firstOfKind(policy, kind)
                    : GoverningRules.forSubject(policy, kind, type).or(() -> GoverningRules.firstOfKind(policy, kind));
            return rule.map(RecordRule::name).orElse(null);
        }
    }
}
