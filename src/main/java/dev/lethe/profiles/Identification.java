package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.GoverningRules;
import dev.lethe.activity.GoverningRules.Times;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.consent.ConsentGate;
import dev.lethe.consent.ConsentReport;
import dev.lethe.consent.Consents;
import dev.lethe.consent.Standing;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.AfterErasure;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.KnownPerson;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.storage.Transactions;
import dev.lethe.storage.Transactions.Retry;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Identification: a visitor becomes a known person, and several devices join one profile,
 * bringing their anonymous history with them.
 */
public final class Identification {

    /** Identifiers are looked up in this order; the first that is known decides the profile. */
    private static final List<IdentifierKind> LOOKUP_ORDER =
            List.of(IdentifierKind.EMAIL, IdentifierKind.EXTERNAL_ID, IdentifierKind.PHONE);

    private final SubjectDirectory subjects;
    private final SubjectStore store;
    private final PersonalValues values;
    private final ProfileIndexes indexes;
    private final ProfileMerge merge;
    private final PolicyService policies;
    private final Consents consents;
    private final AuditLog audit;
    private final Transactions transactions;
    private final Clock clock;
    private final Restrictions restrictions;

    /** Why an identification of a restricted person stored nothing (the answer's detail). */
    public static final String RESTRICTED =
            "This person's processing is restricted (GDPR Art. 18); nothing was stored until the restriction is lifted.";

    public Identification(
            SubjectDirectory subjects,
            PersonalValues values,
            ProfileIndexes indexes,
            ProfileMerge merge,
            PolicyService policies,
            Consents consents,
            AuditLog audit,
            Transactions transactions,
            Clock clock,
            Restrictions restrictions) {
        this.subjects = subjects;
        this.store = subjects.store();
        this.values = values;
        this.indexes = indexes;
        this.merge = merge;
        this.policies = policies;
        this.consents = consents;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.restrictions = restrictions;
    }

    /** An identification that passed the checks, ready to be stored. */
    private record Checked(
            Policy policy,
            String subjectType,
            Instant ts,
            Optional<String> visitorId,
            Map<IdentifierKind, String> identifiers,
            Intake<Sensitive> intake,
            Optional<LocalDate> birthDate,
            String country,
            boolean gpc) {}

    public Identified identify(Caller caller, IdentifyRequest request) {
        return identify(caller, request, List.of(), false);
    }

    /**
     * Identifies; {@code readErrors} are the mistakes {@link IdentifyReader} found, reported
     * together with every mistake the checks find (422), so nothing is stored. {@code gpc} is a
     * {@code Sec-GPC: 1} header: the person's objection to targeting, recorded and honoured.
     */
    public Identified identify(Caller caller, IdentifyRequest request, List<FieldError> readErrors, boolean gpc) {
        AccountService.requireScope(caller, Scope.INGEST);
        Instant now = clock.instant();
        var checked = check(policies.requireInForce(caller.accountId()).policy(), request, now, readErrors, gpc);
        try {
            return transactions.inTransaction(h -> store(h, caller, checked, now));
        } catch (GoneException e) {
            if (learnsWhoExists(caller)) throw e;
            // an erased person's identifiers tell an ingest key nothing either: nothing was
            // stored (the transaction rolled back), and the answer is every other answer
            return new Identified(
                    null,
                    false,
                    false,
                    List.of(),
                    checked.intake().dropped(),
                    checked.intake().expired(),
                    ConsentReport.NONE);
        }
    }

    /**
     * Identifies in the caller's transaction (an import's commit, which writes a batch of rows and
     * its checkpoint together): the same checks and the same storing as {@link #identify}, with
     * no device; {@link InvalidInputException}, {@link GoneException} or {@link ConflictException}
     * when the person cannot be stored, and the caller rolls back what this wrote.
     */
    public Identified identifyIn(Handle h, Caller caller, IdentifyRequest request) {
        AccountService.requireScope(caller, Scope.INGEST);
        Instant now = clock.instant();
        var checked = check(policies.requireInForce(caller.accountId()).policy(), request, now, List.of(), false);
        return store(h, caller, checked, now);
    }

    /**
     * Makes new people in the caller's transaction, many at once (an import's commit batch): each
     * request is checked as {@link #identifyIn} checks it, and must be a new person's, with no
     * device and identifiers no one holds (the caller looked them up under this transaction). The
     * identifiers of all are claimed in one statement per kind, the subjects and their keys are
     * made in batches, the values sealed under each person's own key and written together, and one
     * audit entry names every person made, under {@code policy} (the caller's, read once). If
     * another transaction claimed one of the identifiers meanwhile, the transaction starts over
     * ({@link Retry}) and the caller finds that person then; if one of them is an erased person's
     * (on the suppression list under {@code ingest.afterErasure: drop}), {@link GoneException}, and
     * the caller rolls back what this wrote. Returns the profile ids, in order.
     */
    public List<String> createIn(
            Handle h, Caller caller, Policy policy, List<IdentifyRequest> requests, Map<String, Object> audited) {
        AccountService.requireScope(caller, Scope.INGEST);
        if (requests.isEmpty()) return List.of();
        String accountId = caller.accountId();
        Instant now = clock.instant();
        var checks = new ArrayList<Checked>(requests.size());
        for (var request : requests) {
            if (request.visitorId() != null) throw new IllegalArgumentException("a batch of new people has no devices");
            checks.add(check(policy, request, now, List.of(), false));
        }
        boolean drop = policy.ingest().afterErasure() == AfterErasure.DROP;
        var ids = new ArrayList<String>(checks.size());
        var indexesOf = new ArrayList<Map<IdentifierKind, String>>(checks.size());
        var claims = new java.util.EnumMap<IdentifierKind, Map<String, String>>(IdentifierKind.class);
        var born = new ArrayList<Subject>(checks.size());
        for (var c : checks) {
            String id = subjects.newId();
            var indexes = new LinkedHashMap<IdentifierKind, String>();
            for (var kind : LOOKUP_ORDER) {
                if (c.identifiers().containsKey(kind))
                    indexes.put(
                            kind,
                            subjects.blindIndex(accountId, kind, c.identifiers().get(kind)));
            }
            // as identify: only identifiers the consent gate lets through for a person with no
            // consent are claimed first; a request with none makes nobody
            if (indexes.keySet().stream().noneMatch(kind -> usable(c, kind, Standing.NONE, false)))
                throw new IllegalArgumentException("a new person of a batch has no identifier to be found by");
            indexes.forEach((kind, index) -> {
                if (usable(c, kind, Standing.NONE, false)) {
                    if (claims.computeIfAbsent(kind, k -> new HashMap<>()).put(index, id) != null)
                        throw new IllegalArgumentException("two new people of one batch share an identifier");
                }
            });
            ids.add(id);
            indexesOf.add(indexes);
            born.add(new Subject(accountId, id, c.subjectType(), true, now, c.ts(), c.ts()));
        }
        for (var claim : claims.entrySet()) {
            var won = store.claimIdentifiersWon(h, accountId, claim.getKey(), claim.getValue(), now);
            if (won.size() < claim.getValue().size())
                throw new Retry("another transaction claimed an identifier of a new person first");
        }
        // read once the identifiers are claimed, so an erasure that committed before the claims is
        // seen: a person of the batch names an erased person, and nothing of the batch is stored
        if (drop) {
            var entries = new ArrayList<dev.lethe.subjects.Suppressions.Entry>();
            indexesOf.forEach(m -> m.forEach((k, i) -> entries.add(new dev.lethe.subjects.Suppressions.Entry(k, i))));
            if (!subjects.suppressions().suppressed(h, accountId, entries, now).isEmpty()) throw erasedPerson();
        }
        store.insertAll(h, born);
        subjects.createKeys(h, accountId, ids);
        // a birth date may make a new person a minor: their consents decide what is kept
        var aged = new ArrayList<String>();
        for (int i = 0; i < checks.size(); i++) {
            var c = checks.get(i);
            if (c.birthDate().isPresent()) {
                consents.assessAge(
                        h, accountId, ids.get(i), policy, c.birthDate().get(), c.country());
                aged.add(ids.get(i));
            }
        }
        var standings = aged.isEmpty() ? Map.<String, Standing>of() : consents.standings(h, accountId, aged);
        var newValues = new ArrayList<NewValue>();
        for (int i = 0; i < checks.size(); i++) {
            var c = checks.get(i);
            String profileId = ids.get(i);
            var standing = standings.getOrDefault(profileId, Standing.NONE);
            var allowed = ConsentGate.filter(
                    policy, c.subjectType(), standing, false, c.intake().kept(), new ConsentReport.Tally(false));
            var rule = GoverningRules.forSubject(policy, RecordKind.PROFILE, c.subjectType());
            var own = new ArrayList<NewValue>();
            for (var k : allowed) {
                own.add(new NewValue(
                        profileId,
                        k.category(),
                        k.field(),
                        c.ts(),
                        "profile",
                        profileId,
                        rule.map(RecordRule::name).orElse(null),
                        rule.map(r -> GoverningRules.anchor(r, Times.collected(c.ts())))
                                .orElse(c.ts()),
                        k.value()));
            }
            newValues.addAll(own);
        }
        values.store(h, accountId, newValues);
        indexes.indexNew(h, accountId, policy, newValues);
        var details = new LinkedHashMap<String, Object>(audited);
        details.put("created", ids.size());
        details.put("values", newValues.size());
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        "profile.identify",
                        ids.stream().map(id -> "profile:" + id).toList(),
                        details));
        return ids;
    }

    /**
     * Whether a caller may learn from an identification who the account knows: keys with the read
     * (or admin) scope may; an ingest key may not, being public by design (DESIGN promise 6), so
     * it is answered {@link Identified#receipt()} alone, the same for a new, a known and an erased
     * person.
     */
    public static boolean learnsWhoExists(Caller caller) {
        return caller.may(Scope.READ);
    }

    /** The request checked against the policy; every problem is reported at once. */
    private static Checked check(
            Policy policy, IdentifyRequest request, Instant now, List<FieldError> readErrors, boolean gpc) {
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
            var custom = policy.customFields().get(name);
            if (custom == null) {
                fields.put("traits." + name, value);
                return;
            }
            if (value.isList()) {
                errors.add(new FieldError(
                        "traits." + name,
                        "must be one " + custom.type().wireName() + ", not a list (custom field '"
                                + custom.displayName() + "')"));
                return;
            }
            // a custom field's value is stored trimmed; a blank one is no value and stores nothing
            var given = custom.arriving(value.value());
            if (given.isEmpty()) return;
            if (custom.type().accepts(given.get())) fields.put("traits." + name, new Sensitive(given.get()));
            else
                errors.add(new FieldError(
                        "traits." + name,
                        "must be a " + custom.type().wireName() + " (custom field '" + custom.displayName() + "')"));
        });
        // The device's id is kept as a value of the profile (so the profile can show it) when
        // the policy maps identifiers.visitorId; otherwise only its blind index is, as before.
        visitor.filter(v -> !(Classification.of(policy, IdentifierKind.VISITOR.field(), subjectType)
                        instanceof Classification.Rejected))
                .ifPresent(v -> fields.put(IdentifierKind.VISITOR.field(), new Sensitive(v)));
        var singles = new LinkedHashMap<String, List<Sensitive>>();
        fields.forEach((f, v) -> singles.put(f, List.of(v)));
        var intake = Intake.sort(singles, f -> Classification.ofIdentifier(policy, f, subjectType), ts, now, "");
        errors.addAll(intake.refused());
        var all = JsonFields.merge(readErrors, errors);
        if (!all.isEmpty()) throw new InvalidInputException("The identification is not valid.", all);
        return new Checked(
                policy,
                subjectType,
                ts,
                visitor,
                normalised,
                intake,
                birthDate(request.traits()),
                country(request.traits()),
                gpc);
    }

    /** The birth date a person gives (trait birthDate or birth_date, YYYY-MM-DD), for the age of consent. */
    private static Optional<LocalDate> birthDate(Map<String, Sensitive> traits) {
        var given = traits.containsKey("birthDate") ? traits.get("birthDate") : traits.get("birth_date");
        if (given == null || given.isList()) return Optional.empty();
        try {
            return Optional.of(LocalDate.parse(given.value().strip()));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The country a person gives (trait country, an ISO 3166-1 alpha-2 code), for the age of consent. */
    private static String country(Map<String, Sensitive> traits) {
        var given = traits.get("country");
        if (given == null || given.isList()) return null;
        String code = given.value().strip().toUpperCase(java.util.Locale.ROOT);
        return code.matches("[A-Z]{2}") ? code : null;
    }

    private Identified store(Handle h, Caller caller, Checked c, Instant now) {
        String accountId = caller.accountId();
        Instant ts = c.ts();
        var indexes = new LinkedHashMap<IdentifierKind, String>();
        for (var kind : LOOKUP_ORDER) {
            if (c.identifiers().containsKey(kind))
                indexes.put(
                        kind,
                        subjects.blindIndex(accountId, kind, c.identifiers().get(kind)));
        }
        Optional<String> visitorIndex =
                c.visitorId().map(v -> subjects.blindIndex(accountId, IdentifierKind.VISITOR, v));
        boolean drop = c.policy().ingest().afterErasure() == AfterErasure.DROP;
        if (drop && suppressed(h, accountId, indexes, visitorIndex, now)) throw erasedPerson();
        // an identifier the consent gate keeps out is used neither to find nor to store: it finds
        // only a person whose consents let it through (docs/consent.md, "Identifiers")
        Optional<String> found = Optional.empty();
        for (var e : indexes.entrySet()) {
            if (found.isPresent()) break;
            found = subjects.find(h, accountId, e.getKey(), e.getValue())
                    .filter(person -> usable(c, e.getKey(), consents.current(h, accountId, person), c.gpc()));
        }
        Optional<String> device = visitorIndex.flatMap(i -> subjects.find(h, accountId, IdentifierKind.VISITOR, i));
        var firstClaims = new LinkedHashMap<IdentifierKind, String>();
        indexes.forEach((kind, index) -> {
            if (usable(c, kind, Standing.NONE, c.gpc())) firstClaims.put(kind, index);
        });
        if (found.isEmpty() && firstClaims.isEmpty()) {
            if (visitorIndex.isEmpty()) return nobody(c);
            // no identifier may be used yet: the visitor id is the way in, and a device that
            // identified before is its person's (an anonymous or new one joins a new profile)
            found = device.filter(
                    d -> store.find(h, accountId, d).map(Subject::identified).orElse(false));
        }
        boolean created = found.isEmpty();
        String profileId = found.orElseGet(() -> subjects.createProfile(h, accountId, c.subjectType(), firstClaims, ts)
                .subjectId());
        if (visitorIndex.isPresent() && device.isEmpty()) {
            // a device seen for the first time is claimed for the profile now, before the locks,
            // as track claims new visitors (docs/locks.md); if a batch of events made it an
            // anonymous visitor at the same moment, start over and join that one
            if (!subjects.claim(h, accountId, profileId, Map.of(IdentifierKind.VISITOR, visitorIndex.get()))
                    .isEmpty()) {
                throw new Retry("a new device was claimed by another transaction");
            }
        }
        var involved = new TreeSet<String>();
        involved.add(profileId);
        device.ifPresent(involved::add);
        var locked = subjects.lock(h, accountId, involved);
        // an erasure that committed since the list was read: start over, and find it on the list
        if (drop && suppressed(h, accountId, indexes, visitorIndex, now))
            throw new Retry("an identifier was erased meanwhile");
        if (locked.isErased(profileId)) {
            throw new GoneException("This person's data was erased (their key was destroyed); nothing was stored.");
        }
        // GDPR Art. 18: a restricted person's new data is not stored, as track leaves out their events
        if (!restrictions.restrictedAmong(h, accountId, involved).isEmpty()) {
            throw new ConflictException(RESTRICTED);
        }
        var addOnly = addOnly(h, caller, c, created, profileId, locked.get(profileId));
        if (!created && addOnly.isEmpty()) store.identify(h, accountId, profileId, c.subjectType());
        // under add_only a known person of another subject type gets nothing, its visitor's history
        // included (it would be relabelled under the request's type, not the person's)
        boolean otherType =
                addOnly.isPresent() && !locked.get(profileId).subjectType().equals(c.subjectType());
        boolean joined = visitorIndex.isPresent()
                && !otherType
                && joinVisitor(
                        h,
                        accountId,
                        c,
                        profileId,
                        visitorIndex.get(),
                        device.filter(d -> !locked.isErased(d)).map(locked::get),
                        device.filter(locked::isErased).isPresent());
        // the consent gate (DESIGN promise 8), with the person's consents as they stand after the
        // join: a GPC header is their objection to targeting, a birth date may make them a minor
        var consent = new ConsentReport.Tally(c.gpc());
        boolean gpc = c.gpc()
                && consents.objectByGpc(h, accountId, List.of(profileId), caller.actor())
                        .contains(profileId);
        c.birthDate().ifPresent(born -> consents.assessAge(h, accountId, profileId, c.policy(), born, c.country()));
        var standing = consents.current(h, accountId, profileId);
        if (standing.minor()) consent.minor();
        // identifiers are claimed once the person's consents are known: one the gate keeps out
        // gets no blind index (its value is dropped and counted below)
        var claimed = new LinkedHashMap<IdentifierKind, String>();
        indexes.forEach((kind, index) -> {
            if (usable(c, kind, standing, gpc)) claimed.put(kind, index);
        });
        addOnly.ifPresent(held -> claimed.keySet().removeIf(kind -> held.contains(kind.field())));
        var conflicts = new ArrayList<String>();
        var conflictingFields = new HashSet<String>();
        var taken = subjects.claim(h, accountId, profileId, claimed);
        for (var kind : taken) {
            conflicts.add(kind.wireName());
            conflictingFields.add(kind.field());
        }
        // an identifier given again is collected again: its retention counts from now on
        claimed.forEach((kind, index) -> {
            if (!taken.contains(kind)) store.identifierSeen(h, accountId, kind, index, ts);
        });
        var allowed = ConsentGate.filter(
                c.policy(), c.subjectType(), standing, gpc, c.intake().kept(), consent);
        var newValues = new ArrayList<NewValue>();
        var rule = GoverningRules.forSubject(c.policy(), RecordKind.PROFILE, c.subjectType());
        for (var k : allowed) {
            // an identifier that belongs to another profile stays that profile's: its value is
            // not copied here, where lookups by it would never lead and its erasure would miss it
            if (conflictingFields.contains(k.field())) continue;
            // under add_only a value the known person already has stays as it is
            if (addOnly.isPresent() && addOnly.get().contains(k.field())) continue;
            newValues.add(new NewValue(
                    profileId,
                    k.category(),
                    k.field(),
                    ts,
                    "profile",
                    profileId,
                    rule.map(RecordRule::name).orElse(null),
                    rule.map(r -> GoverningRules.anchor(r, Times.collected(ts))).orElse(ts),
                    k.value()));
        }
        values.store(h, accountId, newValues);
        indexFields(h, accountId, profileId, c.policy(), newValues);
        store.seen(h, accountId, profileId, ts, ts);
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        "profile.identify",
                        List.of("profile:" + profileId),
                        Map.of("created", created, "visitorJoined", joined, "values", newValues.size())));
        return new Identified(
                profileId,
                created,
                joined,
                conflicts,
                c.intake().dropped(),
                c.intake().expired(),
                consent.report());
    }

    /**
     * Whether the consent gate lets this identifier through for a person with {@code standing}: an
     * identifier filed under a consent-based category needs a current grant (and an adult), one
     * under legitimate interests no objection, one serving targeting no GPC.
     */
    private static boolean usable(Checked c, IdentifierKind kind, Standing standing, boolean gpc) {
        return ConsentGate.usable(
                c.policy(), c.subjectType(), standing, gpc, c.intake().kept(), kind.field());
    }

    /**
     * The answer when no one can be found or made: every identifier given is one the gate keeps out
     * for a person with no consent, and no visitor id came with them. Nothing is stored; the values
     * are counted as the gate dropped them.
     */
    private static Identified nobody(Checked c) {
        var consent = new ConsentReport.Tally(c.gpc());
        ConsentGate.filter(
                c.policy(), c.subjectType(), Standing.NONE, c.gpc(), c.intake().kept(), consent);
        return new Identified(
                null, false, false, List.of(), c.intake().dropped(), c.intake().expired(), consent.report());
    }

    /** Whether any of these identifiers is on the suppression list (an erased person's). */
    private boolean suppressed(
            Handle h,
            String accountId,
            Map<IdentifierKind, String> indexes,
            Optional<String> visitorIndex,
            Instant now) {
        var list = subjects.suppressions();
        for (var e : indexes.entrySet()) {
            if (!list.suppressed(h, accountId, e.getKey(), List.of(e.getValue()), now)
                    .isEmpty()) return true;
        }
        return visitorIndex.isPresent()
                && !list.suppressed(h, accountId, IdentifierKind.VISITOR, List.of(visitorIndex.get()), now)
                        .isEmpty();
    }

    /** What names an erased person under {@code ingest.afterErasure: drop}: nothing is stored. */
    private static GoneException erasedPerson() {
        return new GoneException(
                "This person was erased: their identifiers are on the suppression list, and nothing was stored.");
    }

    /**
     * For an ingest key identifying a person the account already knows, under the policy's
     * {@code ingest.knownPerson: add_only} (the default): the fields that must not be written,
     * because the person already holds a value of them. An identifier that is already this
     * person's is not among them (sending it again collects it again, as any key does). A person
     * of another subject type than the request names gets nothing at all: the values were checked
     * for that other type. Empty when every value may be written.
     */
    private Optional<Set<String>> addOnly(
            Handle h, Caller caller, Checked c, boolean created, String profileId, Subject person) {
        if (created || learnsWhoExists(caller) || c.policy().ingest().knownPerson() != KnownPerson.ADD_ONLY)
            return Optional.empty();
        var fields = new LinkedHashSet<String>();
        c.identifiers().keySet().forEach(kind -> fields.add(kind.field()));
        c.intake().kept().forEach(k -> fields.add(k.field()));
        if (!person.subjectType().equals(c.subjectType())) return Optional.of(fields);
        var held = values.fieldsHeld(h, caller.accountId(), profileId, fields);
        c.identifiers().forEach((kind, value) -> {
            String index = subjects.blindIndex(caller.accountId(), kind, value);
            if (subjects.find(h, caller.accountId(), kind, index)
                    .filter(profileId::equals)
                    .isPresent()) held.remove(kind.field());
        });
        return Optional.of(held);
    }

    /** New values of filterable custom fields become filterable by their blind index. */
    private void indexFields(Handle h, String accountId, String profileId, Policy policy, List<NewValue> stored) {
        for (var v : stored) {
            var custom = policy.customFields().get(v.field().substring(v.field().indexOf('.') + 1));
            if (custom != null && custom.filterable() && v.field().equals(custom.field())) {
                indexes.indexField(h, accountId, profileId, custom, v.value().value(), v.category(), v.collectedAt());
            }
        }
    }

    /**
     * Attaches a device to a profile. An anonymous visitor joins with all it did: its events,
     * sessions and values move to the profile (its keys with them, nothing re-sealed), then its
     * own key is destroyed. Returns true when anonymous history joined.
     */
    private boolean joinVisitor(
            Handle h,
            String accountId,
            Checked c,
            String profileId,
            String index,
            Optional<Subject> device,
            boolean deviceErased) {
        if (deviceErased) {
            // an erased visitor's data stays erased: the device belongs to this profile from now
            // on, and nothing of the erased visitor comes with it
            store.pointIdentifier(h, accountId, IdentifierKind.VISITOR, index, profileId);
            return false;
        }
        // a device seen for the first time was claimed for the profile before the locks
        if (device.isEmpty()) return false;
        Subject previous = device.get();
        if (previous.subjectId().equals(profileId)) return false;
        if (previous.identified()) {
            // a device that identified as someone else before: from now on it is this profile's
            store.pointIdentifier(h, accountId, IdentifierKind.VISITOR, index, profileId);
            return false;
        }
        merge.merge(h, accountId, c.policy(), previous, profileId, c.subjectType());
        return true;
    }
}
