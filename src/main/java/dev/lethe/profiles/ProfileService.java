package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.ActivityStore;
import dev.lethe.activity.GoverningRules;
import dev.lethe.activity.GoverningRules.Times;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.goals.GoalService;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.storage.Transactions.Retry;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import dev.lethe.values.StoredValue;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Profiles: identification (a visitor becomes a known person; several devices join one profile,
 * bringing their anonymous history), what a profile shows, and crypto-shredding.
 */
public final class ProfileService {

    /** Identifiers are looked up in this order; the first that is known decides the profile. */
    private static final List<IdentifierKind> LOOKUP_ORDER =
            List.of(IdentifierKind.EMAIL, IdentifierKind.EXTERNAL_ID, IdentifierKind.PHONE);

    private final Jdbi jdbi;
    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final ActivityStore activity;
    private final Keyring keyring;
    private final PolicyService policies;
    private final AuditLog audit;
    private final GoalService goals;
    private final SegmentStore segments;
    private final dev.lethe.storage.Ids ids;
    private final Clock clock;
    private final java.time.Duration sessionTimeout;
    private final Transactions transactions;
    private final ProfileMerge merges;

    public ProfileService(
            Jdbi jdbi,
            SubjectDirectory subjects,
            PersonalValues values,
            ActivityStore activity,
            Keyring keyring,
            PolicyService policies,
            AuditLog audit,
            GoalService goals,
            SegmentStore segments,
            dev.lethe.storage.Ids ids,
            Clock clock,
            java.time.Duration sessionTimeout) {
        this.jdbi = jdbi;
        this.subjects = subjects;
        this.values = values;
        this.activity = activity;
        this.keyring = keyring;
        this.policies = policies;
        this.audit = audit;
        this.goals = goals;
        this.segments = segments;
        this.ids = ids;
        this.clock = clock;
        this.sessionTimeout = sessionTimeout;
        this.transactions = new Transactions(jdbi);
        this.merges = new ProfileMerge(subjects.store(), values);
    }

    public Identified identify(Caller caller, IdentifyRequest request) {
        AccountService.requireScope(caller, Scope.INGEST);
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        Instant now = clock.instant();
        Instant ts = request.ts() == null ? now : request.ts();
        var errors = new ArrayList<FieldError>();

        String subjectType = request.subjectType() != null ? request.subjectType() : policy.profileType();
        if (!policy.subjects().containsKey(subjectType)) {
            errors.add(new FieldError(
                    "subjectType",
                    "'" + subjectType + "' is not a subject type of the policy ("
                            + String.join(", ", policy.subjects().keySet()) + ")"));
        }
        if (Intake.inTheFuture(ts, now)) errors.add(new FieldError("ts", "is in the future"));
        Optional<String> visitor = Optional.empty();
        if (request.visitorId() != null) {
            visitor = IdentifierKind.VISITOR.normalise(request.visitorId());
            if (visitor.isEmpty()) errors.add(new FieldError("visitorId", IdentifierKind.VISITOR.problem()));
        }
        var normalised = new LinkedHashMap<IdentifierKind, String>();
        request.identifiers()
                .forEach((kind, value) -> kind.normalise(value.value())
                        .ifPresentOrElse(
                                n -> normalised.put(kind, n),
                                () -> errors.add(new FieldError(kind.field(), kind.problem()))));
        if (request.identifiers().isEmpty()) {
            errors.add(new FieldError("identifiers", "give at least one of email, phone, externalId"));
        }
        var fields = new LinkedHashMap<String, Sensitive>();
        normalised.forEach((kind, n) -> fields.put(kind.field(), new Sensitive(n)));
        request.traits().forEach((name, value) -> {
            fields.put("traits." + name, value);
            var custom = policy.customFields().get(name);
            if (custom != null && !custom.type().accepts(value.value())) {
                errors.add(new FieldError(
                        "traits." + name,
                        "must be a " + custom.type().wireName() + " (custom field '" + custom.displayName() + "')"));
            }
        });
        var singles = new LinkedHashMap<String, List<Sensitive>>();
        fields.forEach((f, v) -> singles.put(f, List.of(v)));
        var intake = Intake.sort(singles, f -> classify(policy, f, subjectType), ts, now, "");
        errors.addAll(intake.refused());
        if (!errors.isEmpty()) throw new InvalidInputException("The identification is not valid.", errors);

        Optional<String> visitorId = visitor;
        return transactions.inTransaction(h -> {
            var indexes = new LinkedHashMap<IdentifierKind, String>();
            for (var kind : LOOKUP_ORDER) {
                if (normalised.containsKey(kind))
                    indexes.put(kind, subjects.blindIndex(accountId, kind, normalised.get(kind)));
            }
            Optional<String> found = Optional.empty();
            for (var e : indexes.entrySet()) {
                if (found.isEmpty()) found = subjects.find(h, accountId, e.getKey(), e.getValue());
            }
            Optional<String> visitorIndex =
                    visitorId.map(v -> subjects.blindIndex(accountId, IdentifierKind.VISITOR, v));
            Optional<String> device = visitorIndex.flatMap(i -> subjects.find(h, accountId, IdentifierKind.VISITOR, i));
            boolean created = found.isEmpty();
            String profileId = found.orElseGet(() -> subjects.createProfile(h, accountId, subjectType, indexes, ts)
                    .subjectId());
            var involved = new java.util.TreeSet<String>();
            involved.add(profileId);
            device.ifPresent(involved::add);
            var locked = subjects.lock(h, accountId, involved);
            if (locked.isErased(profileId)) {
                throw new GoneException("This person's data was erased (their key was destroyed); nothing was stored.");
            }
            if (!created) subjects.store().identify(h, accountId, profileId, subjectType);
            var conflicts = new ArrayList<String>();
            var conflictingFields = new HashSet<String>();
            var taken = subjects.claim(h, accountId, profileId, indexes);
            for (var kind : taken) {
                conflicts.add(kind.wireName());
                conflictingFields.add(kind.field());
            }
            // an identifier given again is collected again: its retention counts from now on
            indexes.forEach((kind, index) -> {
                if (!taken.contains(kind)) subjects.store().identifierSeen(h, accountId, kind, index, ts);
            });
            boolean joined = visitorIndex.isPresent()
                    && joinVisitor(h, accountId, profileId, visitorIndex.get(), device.map(locked::get), now);
            var newValues = new ArrayList<NewValue>();
            var rule = GoverningRules.forSubject(policy, RecordKind.PROFILE, subjectType);
            for (var k : intake.kept()) {
                // an identifier that belongs to another profile stays that profile's: its value is
                // not copied here, where lookups by it would never lead and its erasure would miss it
                if (conflictingFields.contains(k.field())) continue;
                newValues.add(new NewValue(
                        profileId,
                        k.category(),
                        k.field(),
                        ts,
                        "profile",
                        profileId,
                        rule.map(RecordRule::name).orElse(null),
                        rule.map(r -> GoverningRules.anchor(r, Times.collected(ts)))
                                .orElse(ts),
                        k.value()));
            }
            values.store(h, accountId, newValues);
            for (var v : newValues) {
                var custom =
                        policy.customFields().get(v.field().substring(v.field().indexOf('.') + 1));
                if (custom != null && custom.filterable() && v.field().equals(custom.field())) {
                    subjects.store()
                            .setFieldValue(
                                    h,
                                    accountId,
                                    profileId,
                                    custom.key(),
                                    fieldIndex(accountId, custom, v.value().value()),
                                    v.category(),
                                    v.collectedAt());
                }
            }
            subjects.store().seen(h, accountId, profileId, ts, ts);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.identify",
                            List.of("profile:" + profileId),
                            Map.of("created", created, "visitorJoined", joined, "values", newValues.size())));
            return new Identified(profileId, created, joined, conflicts, intake.dropped(), intake.expired());
        });
    }

    /** An identifier not mapped by itself (identifiers.email) falls back to its trait (traits.email). */
    private static Classification classify(Policy policy, String field, String subjectType) {
        var c = Classification.of(policy, field, subjectType);
        if (c instanceof Classification.Rejected && field.startsWith("identifiers.")) {
            var trait = Classification.of(policy, "traits." + field.substring("identifiers.".length()), subjectType);
            if (!(trait instanceof Classification.Rejected)) return trait;
        }
        return c;
    }

    /**
     * Attaches a device to a profile. An anonymous visitor joins with all it did: its events,
     * sessions and values move to the profile (its keys with them, nothing re-sealed), then its
     * own key is destroyed. Returns true when anonymous history joined.
     */
    private boolean joinVisitor(
            Handle h, String accountId, String profileId, String index, Optional<Subject> device, Instant now) {
        if (device.isEmpty()) {
            // a device seen for the first time: it belongs to this profile from now on, unless a
            // batch of events made it an anonymous visitor at the same moment (then join that one)
            if (!subjects.claim(h, accountId, profileId, Map.of(IdentifierKind.VISITOR, index))
                    .isEmpty()) {
                throw new Retry("a new device was claimed by another transaction");
            }
            return false;
        }
        Subject previous = device.get();
        if (previous.subjectId().equals(profileId)) return false;
        if (previous.identified()) {
            // a device that identified as someone else before: from now on it is this profile's
            subjects.store().pointIdentifier(h, accountId, IdentifierKind.VISITOR, index, profileId);
            return false;
        }
        merge(h, accountId, previous, profileId);
        return true;
    }

    private Merged merge(Handle h, String accountId, Subject from, String intoProfile) {
        return merges.merge(h, accountId, from, intoProfile);
    }

    /** What a merge moved: values (with their keys), events and sessions, identifiers. */
    public record Merged(String profileId, String mergedProfileId, int values, int activity, int identifiers) {}

    /**
     * Merges profile {@code otherId} into {@code survivorId}: everything of the other moves to the
     * survivor, values with the keys that sealed them (ownership moves, nothing is re-sealed); it
     * ceases to exist. Audited with both ids.
     */
    public Merged mergeProfiles(Caller caller, String survivorId, String otherId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        if (!Ids.isId(otherId)) {
            throw new InvalidInputException(
                    "The merge is not valid.", List.of(new FieldError("from", "no such profile in this account")));
        }
        if (survivorId.equals(otherId)) {
            throw new InvalidInputException(
                    "The merge is not valid.", List.of(new FieldError("from", "is the profile itself")));
        }
        return transactions.inTransaction(h -> {
            // Both rows locked, in id order, before anything is read: of two merges racing in
            // opposite directions (or one profile merged into several at once) the second finds
            // its source gone once the first commits, and changes nothing.
            var locked = subjects.store().lock(h, accountId, List.of(survivorId, otherId));
            Optional.ofNullable(locked.get(survivorId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            Subject other = Optional.ofNullable(locked.get(otherId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new InvalidInputException(
                            "The merge is not valid.",
                            List.of(new FieldError("from", "no such profile in this account"))));
            Merged merged;
            try {
                merged = merge(h, accountId, other, survivorId);
            } catch (SubjectKeyDestroyed e) {
                throw new GoneException("A profile's data was erased (its key was destroyed); it cannot be merged.");
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.merge",
                            List.of("profile:" + survivorId, "profile:" + otherId),
                            Map.of(
                                    "values",
                                    merged.values(),
                                    "activity",
                                    merged.activity(),
                                    "identifiers",
                                    merged.identifiers())));
            return merged;
        });
    }

    /** The profile with its contact information decrypted; the read is audited. */
    public ProfileView view(Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        return jdbi.inTransaction(h -> {
            Subject subject = subjects.store()
                    .find(h, accountId, profileId)
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            List<StoredValue> stored;
            try {
                stored = values.ofSubject(h, accountId, profileId);
            } catch (SubjectKeyDestroyed e) {
                throw new GoneException("This profile's data was erased (its key was destroyed).");
            }
            var contact = new LinkedHashMap<String, Sensitive>();
            var traits = new LinkedHashMap<String, Sensitive>();
            var tags = new java.util.LinkedHashSet<String>();
            var bySession = new LinkedHashMap<String, Map<String, Sensitive>>();
            for (var v : stored) { // oldest first: the latest value of a field wins
                if (v.field().startsWith("identifiers."))
                    contact.put(v.field().substring("identifiers.".length()), v.value());
                else if (v.field().equals(TAGS)) tags.add(v.value().value());
                else if (v.field().startsWith("traits."))
                    traits.put(v.field().substring("traits.".length()), v.value());
                if ("session_summary".equals(v.recordKind())) {
                    bySession
                            .computeIfAbsent(v.recordId(), s -> new LinkedHashMap<>())
                            .put(v.field().substring(v.field().indexOf('.') + 1), v.value());
                }
            }
            var sessions = activity.sessionsOf(h, accountId, profileId);
            var goalList = goals.list(h, accountId);
            var hits = goals.hitsOf(h, accountId, profileId);
            var goalNames = new java.util.HashMap<String, String>();
            goalList.forEach(g -> goalNames.put(g.goalId(), g.name()));
            var goalsBySession = new java.util.HashMap<String, java.util.Set<String>>();
            for (var hit : hits) {
                if (hit.sessionId() != null && goalNames.containsKey(hit.goalId()))
                    goalsBySession
                            .computeIfAbsent(hit.sessionId(), x -> new java.util.LinkedHashSet<>())
                            .add(goalNames.get(hit.goalId()));
            }
            Instant now = clock.instant();
            var visits = sessions.stream()
                    .map(s -> new ProfileView.Visit(
                            s.sessionId(),
                            s.startedAt(),
                            s.duration(),
                            s.pageCount(),
                            s.eventCount(),
                            bySession.getOrDefault(s.sessionId(), Map.of()),
                            s.eventTypes(),
                            List.copyOf(goalsBySession.getOrDefault(s.sessionId(), java.util.Set.of())),
                            s.endedBy(now, sessionTimeout)))
                    .toList();
            var eventList = activity.eventsOf(h, accountId, profileId);
            int events = eventList.size();
            int devices = subjects.store().countIdentifiers(h, accountId, profileId, IdentifierKind.VISITOR);
            var summary = new ProfileView.Summary(
                    subject.firstSeenAt(),
                    subject.lastSeenAt(),
                    sessions.size(),
                    events,
                    activity.messageCount(h, accountId, profileId),
                    devices);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId, caller.actor(), "profile.read", List.of("profile:" + profileId), Map.of()));
            var engagement = Engagement.of(
                    sessions.stream().map(s -> s.startedAt()).toList(), subject.lastSeenAt(), clock.instant());
            return new ProfileView(
                    profileId,
                    subject.subjectType(),
                    contact,
                    traits,
                    tags.stream().map(Sensitive::new).toList(),
                    summary,
                    engagement,
                    Aggregates.interests(stored),
                    Aggregates.goals(goalList, hits),
                    Aggregates.campaigns(stored),
                    visits);
        });
    }

    /**
     * Crypto-shreds a profile: its key is destroyed, so every value sealed under it is unreadable
     * wherever a copy lies. (Erasure, which also deletes the rows and issues a receipt, builds on
     * this.) Returns whether a key was destroyed.
     */
    public boolean shred(Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        return transactions.inTransaction(h -> {
            if (subjects.store().lock(h, caller.accountId(), List.of(profileId)).isEmpty()) {
                throw new NotFoundException("No such profile.");
            }
            boolean destroyed = keyring.shred(h, caller.accountId(), profileId);
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "profile.shred",
                            List.of("profile:" + profileId),
                            Map.of("destroyed", destroyed)));
            return destroyed;
        });
    }

    /** What to list: exact email or phone, a saved segment, criteria refining it, a page. */
    public record ProfileQuery(
            String segment,
            String email,
            String phone,
            ProfileCriteria criteria,
            String cursor,
            int limit,
            List<String> columns) {}

    /** The columns a list shows unless asked for others. */
    public static final List<String> BASE_COLUMNS = List.of("id", "subjectType", "firstSeen", "lastSeen");

    /** Columns that may be asked for besides {@code field.<key>} of a custom field. */
    public static final List<String> COLUMNS =
            List.of("id", "subjectType", "firstSeen", "lastSeen", "visits", "engagement");

    /** A page of profiles and the cursor of the next, null at the end. */
    public record Page(List<String> columns, List<Row> profiles, String next) {}

    /**
     * A listed profile with what the columns asked for: its visits and engagement (when asked),
     * its custom field values (key → value, decrypted, when asked; the list is then audited).
     */
    public record Row(Subject subject, Integer visits, Engagement engagement, Map<String, Sensitive> fields) {}

    /** Criteria checked and turned into what the store filters by. */
    private record Resolved(
            String tagIndex,
            String goalId,
            String engagement,
            Map<String, String> fieldIndexes,
            Instant from,
            Instant to,
            String sort) {}

    /**
     * Checks criteria against the account (its goals, its policy's custom fields), adding an
     * error per problem under {@code prefix}; returns null when there were any.
     */
    private Resolved resolve(Handle h, String accountId, ProfileCriteria c, String prefix, List<FieldError> errors) {
        int before = errors.size();
        if (c.sort() != null && !dev.lethe.subjects.ProfileFilter.SORTS.contains(c.sort())) {
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
        var fieldIndexes = new LinkedHashMap<String, String>();
        if (!c.fields().isEmpty()) {
            var custom = policies.inForce(accountId)
                    .map(v -> v.policy().customFields())
                    .orElse(Map.of());
            c.fields().forEach((key, value) -> {
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
                    fieldIndexes.put(key, fieldIndex(accountId, field, value));
                }
            });
        }
        if (errors.size() > before) return null;
        Instant from = c.lastVisitWithin() != null
                ? clock.instant()
                        .atZone(java.time.ZoneOffset.UTC)
                        .minus(c.lastVisitWithin())
                        .toInstant()
                : c.lastVisitFrom();
        String tag = c.tag() == null ? null : tagIndex(accountId, c.tag());
        String sort = c.sort() == null ? "lastVisit" : c.sort();
        return new Resolved(tag, goalId, c.engagement(), fieldIndexes, from, c.lastVisitTo(), sort);
    }

    /**
     * Saves a named filter. Only criteria that identify no one may be saved: a tag, a goal, an
     * engagement level, values of filterable custom fields, a last-visit range or window, an
     * order; never an email or phone.
     */
    public Segment saveSegment(Caller caller, String name, ProfileCriteria criteria) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var errors = new ArrayList<FieldError>();
        if (name == null || name.isBlank() || name.length() > 200) {
            errors.add(new FieldError("name", "must be 1 to 200 characters"));
        }
        return jdbi.inTransaction(h -> {
            resolve(h, caller.accountId(), criteria, "filter.", errors);
            if (!errors.isEmpty()) throw new InvalidInputException("The segment is not valid.", errors);
            if (segments.byName(h, caller.accountId(), name.strip()).isPresent()) {
                throw new dev.lethe.errors.ConflictException(
                        "A segment of this name exists.", List.of(new FieldError("name", "is taken")));
            }
            var saved = new Segment(ids.next(), name.strip(), criteria);
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

    /**
     * Identified profiles matching the query, a page at a time. Email, phone, tag and custom
     * field values are matched through blind indexes, goals through the recorded achievements.
     * Engagement changes with time, so it is scored here for the profiles the other filters let
     * through, reading on until the page is full. The list is read, not audited per profile (it
     * shows ids and dates only).
     */
    public Page list(Caller caller, ProfileQuery q) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        var errors = new ArrayList<FieldError>();
        var lookups = new LinkedHashMap<IdentifierKind, String>();
        if (q.email() != null)
            IdentifierKind.EMAIL
                    .normalise(q.email())
                    .ifPresentOrElse(
                            n -> lookups.put(IdentifierKind.EMAIL, n),
                            () -> errors.add(new FieldError("email", IdentifierKind.EMAIL.problem())));
        if (q.phone() != null)
            IdentifierKind.PHONE
                    .normalise(q.phone())
                    .ifPresentOrElse(
                            n -> lookups.put(IdentifierKind.PHONE, n),
                            () -> errors.add(new FieldError("phone", IdentifierKind.PHONE.problem())));
        var columns = q.columns() == null || q.columns().isEmpty() ? BASE_COLUMNS : q.columns();
        var custom =
                policies.inForce(accountId).map(v -> v.policy().customFields()).orElse(Map.of());
        var fieldColumns = new ArrayList<String>();
        for (String c : columns) {
            if (c.startsWith("field.") && custom.containsKey(c.substring("field.".length())))
                fieldColumns.add(c.substring("field.".length()));
            else if (!COLUMNS.contains(c)) {
                errors.add(new FieldError(
                        "columns",
                        "unknown column '" + c + "' (" + String.join(", ", COLUMNS)
                                + ", or field.<key> of a custom field)"));
            }
        }
        dev.lethe.subjects.ProfileCursor after = null;
        if (q.cursor() != null) {
            after = dev.lethe.subjects.ProfileCursor.decode(q.cursor()).orElse(null);
            if (after == null) errors.add(new FieldError("cursor", "is not a cursor this list gave out"));
        }
        var start = after;
        return jdbi.inTransaction(h -> {
            var criteria = q.criteria();
            if (q.segment() != null) {
                var seg = segments.byName(h, accountId, q.segment());
                if (seg.isEmpty()) errors.add(new FieldError("segment", "no such segment in this account"));
                else criteria = seg.get().criteria().refinedBy(criteria);
            }
            var r = resolve(h, accountId, criteria, "", errors);
            if (r != null && start != null && !start.sort().equals(r.sort())) {
                errors.add(
                        new FieldError("cursor", "belongs to a list sorted by " + start.sort() + ", not " + r.sort()));
            }
            if (!errors.isEmpty()) throw new dev.lethe.errors.BadRequestException("Bad query parameter.", errors);
            java.util.Set<String> matching = null;
            for (var l : lookups.entrySet()) {
                var found = subjects.find(
                        h, accountId, l.getKey(), subjects.blindIndex(accountId, l.getKey(), l.getValue()));
                var only = found.map(java.util.Set::of).orElse(java.util.Set.<String>of());
                var before = matching;
                matching = before == null
                        ? only
                        : only.stream().filter(before::contains).collect(java.util.stream.Collectors.toSet());
            }
            Instant now = clock.instant();
            Instant from = r.from();
            if (r.engagement() != null && !r.engagement().equals("none")) {
                Instant since = Engagement.aboveZeroSince(now);
                if (from == null || from.isBefore(since)) from = since;
            }
            var filter = new dev.lethe.subjects.ProfileFilter(
                    matching, r.tagIndex(), r.goalId(), r.fieldIndexes(), from, r.to(), r.sort(), start, q.limit());
            var page = page(h, accountId, filter, r.engagement(), now);
            return new Page(columns, rows(h, caller, page.subjects(), columns, fieldColumns, now), page.next());
        });
    }

    /** The page's rows with the columns asked for; showing field values is audited. */
    private List<Row> rows(
            Handle h, Caller caller, List<Subject> page, List<String> columns, List<String> fields, Instant now) {
        String accountId = caller.accountId();
        var ids = page.stream().map(Subject::subjectId).toList();
        boolean counts = columns.contains("visits") || columns.contains("engagement");
        var visits = counts
                ? activity.visitCounts(h, accountId, ids, Engagement.aboveZeroSince(now))
                : Map.<String, ActivityStore.VisitCounts>of();
        var values = fields.isEmpty()
                ? Map.<String, Map<String, Sensitive>>of()
                : this.values.latest(
                        h,
                        accountId,
                        ids,
                        fields.stream().map(f -> "traits." + f).toList());
        if (!fields.isEmpty() && !ids.isEmpty()) {
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.list",
                            ids.stream().map(id -> "profile:" + id).toList(),
                            Map.of("fields", List.copyOf(fields))));
        }
        var out = new ArrayList<Row>();
        for (var s : page) {
            var c = visits.getOrDefault(s.subjectId(), new ActivityStore.VisitCounts(0, 0));
            var shown = new LinkedHashMap<String, Sensitive>();
            var held = values.getOrDefault(s.subjectId(), Map.of());
            fields.forEach(f -> shown.put(f, held.get("traits." + f)));
            out.add(new Row(
                    s,
                    counts ? c.all() : null,
                    counts ? Engagement.of(c.recent(), c.all() > 0, s.lastSeenAt(), now) : null,
                    shown));
        }
        return out;
    }

    /** Reads the list from the filter's position until the page is full or the list ends. */
    private record Scanned(List<Subject> subjects, String next) {}

    private Scanned page(
            Handle h, String accountId, dev.lethe.subjects.ProfileFilter filter, String level, Instant now) {
        int limit = filter.limit();
        int chunk = level == null ? limit : Math.max(limit, 200);
        var out = new ArrayList<Subject>();
        var position = filter.after();
        while (true) {
            var rows = subjects.store().list(h, accountId, filter.from(position, chunk));
            var counts = level == null
                    ? Map.<String, ActivityStore.VisitCounts>of()
                    : activity.visitCounts(
                            h,
                            accountId,
                            rows.stream().map(l -> l.subject().subjectId()).toList(),
                            Engagement.aboveZeroSince(now));
            for (var row : rows) {
                position = row.position();
                if (level != null) {
                    var c = counts.getOrDefault(row.subject().subjectId(), new ActivityStore.VisitCounts(0, 0));
                    var e = Engagement.of(c.recent(), c.all() > 0, row.subject().lastSeenAt(), now);
                    if (!e.level().equals(level)) continue;
                }
                out.add(row.subject());
                if (out.size() == limit) return new Scanned(out, position.encode());
            }
            if (rows.size() < chunk) return new Scanned(out, null);
        }
    }

    /**
     * Adds and removes tags on a profile. A tag is a personal value (field {@code traits.tags},
     * under the category the policy maps it to) plus a blind index for filtering.
     */
    public List<String> tag(Caller caller, String profileId, List<String> add, List<String> remove) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        var errors = new ArrayList<FieldError>();
        String category = null;
        switch (Classification.of(policy, TAGS)) {
            case Classification.Kept k -> category = k.category().name();
            case Classification.Dropped d -> {
                if (!add.isEmpty())
                    errors.add(new FieldError(
                            "add", "tags are switched off: category '" + d.category() + "' is disabled"));
            }
            case Classification.Rejected r -> {
                if (!add.isEmpty())
                    errors.add(new FieldError("add", "tags have no category: map traits.tags in the policy's fields"));
            }
        }
        for (int i = 0; i < add.size(); i++) {
            if (add.get(i).isBlank() || add.get(i).length() > 100)
                errors.add(new FieldError("add[" + i + "]", "a tag is 1 to 100 characters"));
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The tags are not valid.", errors);
        String tagCategory = category;
        Instant now = clock.instant();
        return transactions.inTransaction(h -> {
            Subject profile = Optional.ofNullable(subjects.store()
                            .lock(h, accountId, List.of(profileId))
                            .get(profileId))
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            var rule = GoverningRules.forSubject(policy, RecordKind.PROFILE, profile.subjectType());
            var current = currentTags(h, accountId, profileId);
            var added = new ArrayList<NewValue>();
            for (String t : add) {
                String tag = t.strip();
                if (current.contains(tag)) continue;
                current.add(tag);
                added.add(new NewValue(
                        profileId,
                        tagCategory,
                        TAGS,
                        now,
                        "profile",
                        profileId,
                        rule.map(RecordRule::name).orElse(null),
                        rule.map(r -> GoverningRules.anchor(r, Times.collected(now)))
                                .orElse(now),
                        new Sensitive(tag)));
                subjects.store().addTag(h, accountId, tagIndex(accountId, tag), profileId, tagCategory, now);
            }
            values.store(h, accountId, added);
            var removing = new java.util.HashSet<String>();
            for (String t : remove) {
                String tag = t.strip();
                if (current.remove(tag)) removing.add(tag);
                subjects.store().removeTag(h, accountId, tagIndex(accountId, tag), profileId);
            }
            values.deleteMatching(h, accountId, profileId, TAGS, removing);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "profile.tags",
                            List.of("profile:" + profileId),
                            Map.of("added", added.size(), "removed", removing.size())));
            return List.copyOf(current);
        });
    }

    private static final String TAGS = "traits.tags";

    private java.util.List<String> currentTags(Handle h, String accountId, String profileId) {
        return values.ofSubject(h, accountId, profileId).stream()
                .filter(v -> v.field().equals(TAGS))
                .map(v -> v.value().value())
                .distinct()
                .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }

    /** Values of a filterable custom field match as the field normalises them (text case-insensitively). */
    private String fieldIndex(String accountId, dev.lethe.registry.CustomField field, String value) {
        return subjects.blindIndex(
                accountId, IdentifierKind.EXTERNAL_ID, "field:" + field.key() + "=" + field.normalise(value));
    }

    /** Tags match case-insensitively: the index is of the trimmed, lower-cased tag. */
    private String tagIndex(String accountId, String tag) {
        return subjects.blindIndex(
                accountId, IdentifierKind.EXTERNAL_ID, "tag:" + tag.strip().toLowerCase(java.util.Locale.ROOT));
    }
}
