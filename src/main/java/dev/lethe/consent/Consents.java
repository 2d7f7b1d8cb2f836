package dev.lethe.consent;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.input.JsonFields;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxMessage;
import dev.lethe.registry.AfterErasure;
import dev.lethe.registry.CookieCategory;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.Suppressions;
import dev.lethe.values.PersonalValues;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The consent ledger (DESIGN promise 8): privacy-policy versions, consents given and withdrawn per
 * purpose with their proof, each with a receipt, and where each person stands now — which ingest
 * asks ({@link #standings}) before it stores a value of a consent-based category, and which a
 * retention sweep asks to remove what was stored under a consent that is gone. Objection requests
 * call {@link #withdraw}; everything is audited with ids and purposes, never a value.
 */
public final class Consents {

    /** The longest version, source or form label kept (their columns' size). */
    static final int MAX_LABEL = 100;

    /**
     * What a source, a form version or a policy version must look like: a name, not free text — no
     * spaces, so a person's name or a sentence does not fit (these are stored and answered as they
     * are, and the ingest key may send them).
     */
    private static final Pattern LABEL = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_.:/+-]{0,99}");

    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** The source of an objection recorded from a {@code Sec-GPC: 1} header. */
    public static final String GPC_SOURCE = "gpc";

    private final Transactions transactions;
    private final ConsentLedger ledger = new ConsentLedger();
    private final SubjectDirectory subjects;
    private final PolicyService policies;
    private final Keyring keyring;
    private final PersonalValues values;
    private final Outbox outbox;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public Consents(
            Transactions transactions,
            SubjectDirectory subjects,
            PolicyService policies,
            Keyring keyring,
            PersonalValues values,
            Outbox outbox,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.transactions = transactions;
        this.subjects = subjects;
        this.policies = policies;
        this.keyring = keyring;
        this.values = values;
        this.outbox = outbox;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    // -------------------------------------------------------------------------------------
    // Privacy-policy versions

    /** A version to publish, as the body gives it. */
    public record NewPolicy(
            String version, String url, Instant publishedAt, Boolean material, Boolean requiresReconsent) {}

    /**
     * What publishing a version did: the version, and the people it affects (whose current grants
     * were given under an earlier version), who are told of a material change: {@code notified}
     * got an email in the outbox, {@code withoutEmail} have no email Lethe keeps (both 0 for a
     * change that is not material).
     */
    public record Published(PrivacyPolicyVersion policy, List<String> affected, int notified, int withoutEmail) {}

    /** How a material change was announced: emails written to the outbox, and people without one. */
    record Announced(int notified, int withoutEmail) {}

    /** The outbox purpose of a material change's email. */
    public static final String MATERIAL_CHANGE_PURPOSE = "privacy-policy-material";

    /**
     * Publishes a privacy-policy version (admin); {@code readErrors} are the body's own mistakes,
     * reported with every other at once (422), nothing stored then.
     */
    public Published publish(Caller caller, NewPolicy p, List<FieldError> readErrors) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        Instant now = clock.instant();
        var errors = new ArrayList<FieldError>();
        label(p.version(), "version", true, errors);
        if (p.url() == null
                || !(p.url().startsWith("https://") || p.url().startsWith("http://"))
                || p.url().length() > 2000
                || p.url().chars().anyMatch(Character::isWhitespace))
            errors.add(new FieldError("url", "must be an http(s) address of at most 2000 characters"));
        if (p.publishedAt() == null) errors.add(new FieldError("publishedAt", "is required"));
        else if (Intake.inTheFuture(p.publishedAt(), now.plus(java.time.Duration.ofDays(366))))
            errors.add(new FieldError("publishedAt", "must be at most a year ahead"));
        var all = JsonFields.merge(readErrors, errors);
        if (!all.isEmpty()) throw new InvalidInputException("The privacy policy is not valid.", all);
        var version = new PrivacyPolicyVersion(
                p.version(),
                p.url(),
                p.publishedAt(),
                Boolean.TRUE.equals(p.material()),
                Boolean.TRUE.equals(p.requiresReconsent()),
                now);
        return transactions.inTransaction(h -> {
            if (ledger.policy(h, accountId, version.version()).isPresent())
                throw new ConflictException(
                        "This privacy-policy version exists already.",
                        List.of(new FieldError("version", "is published already; versions are never changed")));
            ledger.insertPolicy(h, accountId, version);
            var affected = ledger.grantedBefore(h, accountId, version.publishedAt());
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "consent.policy.publish",
                            List.of("privacy_policy:" + version.version()),
                            Map.of(
                                    "material", version.material(),
                                    "requiresReconsent", version.requiresReconsent(),
                                    "affected", affected.size())));
            var announced =
                    version.material() ? announceMaterialChange(h, accountId, version, affected) : new Announced(0, 0);
            return new Published(version, affected, announced.notified(), announced.withoutEmail());
        });
    }

    /**
     * The one place a material change is announced to the people it affects, in the transaction
     * that publishes it, so the emails exist if and only if the version is published: per person,
     * under their lock (docs/locks.md: people in id order), their latest email — opened through
     * {@link PersonalValues}, never logged — gets a message in the outbox naming the new version
     * and its address. People erased meanwhile, and people without a kept email, are skipped and
     * counted; the audit entry holds the counts only.
     */
    private Announced announceMaterialChange(
            Handle h, String accountId, PrivacyPolicyVersion version, List<String> affected) {
        int notified = 0;
        int withoutEmail = 0;
        for (int from = 0; from < affected.size(); from += ANNOUNCE_BATCH) {
            var people = new TreeSet<>(affected.subList(from, Math.min(affected.size(), from + ANNOUNCE_BATCH)));
            var locked = subjects.lockNamed(h, accountId, people);
            var alive = people.stream()
                    .filter(id -> locked.get(id) != null && !locked.isErased(id))
                    .toList();
            var emails = values.latest(h, accountId, alive, List.of(IdentifierKind.EMAIL.field()));
            for (String subjectId : people) {
                var email = Optional.ofNullable(emails.get(subjectId))
                        .map(fields -> fields.get(IdentifierKind.EMAIL.field()))
                        .flatMap(v -> IdentifierKind.EMAIL.normalise(v.value()));
                if (email.isEmpty()) {
                    withoutEmail++;
                    continue;
                }
                outbox.enqueue(h, accountId, Optional.of(subjectId), materialChange(email.get(), version));
                notified++;
            }
        }
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        Actor.SYSTEM,
                        "consent.policy.material",
                        List.of("privacy_policy:" + version.version()),
                        Map.of("affected", affected.size(), "notified", notified, "withoutEmail", withoutEmail)));
        return new Announced(notified, withoutEmail);
    }

    /** People locked and told at a time, within the publication's transaction. */
    private static final int ANNOUNCE_BATCH = 500;

    /** The email telling a person of a material change: the version and where to read it. */
    private static OutboxMessage materialChange(String to, PrivacyPolicyVersion version) {
        return OutboxMessage.email(
                to,
                "Our privacy policy has changed",
                """
                We have published a new version of our privacy policy, %s, in force from %s.

                It changes how your personal data is handled in ways that matter to your rights. \
                Please read it at %s

                You are receiving this email because you gave us your consent under an earlier version.
                """.formatted(version.version(), version.publishedAt(), version.url()),
                MATERIAL_CHANGE_PURPOSE);
    }

    /** The account's privacy-policy versions, newest first. */
    public List<PrivacyPolicyVersion> policies(Caller caller) {
        AccountService.requireScope(caller, Scope.READ);
        return transactions.inTransaction(h -> ledger.policies(h, caller.accountId()));
    }

    // -------------------------------------------------------------------------------------
    // Recording consents

    /**
     * Whom a consent is about: one identifier. {@code kind} is email, phone, externalId, visitorId
     * or profileId.
     */
    public record SubjectRef(String kind, String value) {}

    /** A consent as the body gives it. */
    public record NewConsent(
            SubjectRef subject,
            String policyVersion,
            Map<String, Boolean> purposes,
            String source,
            String proofForm,
            String proofIp,
            Instant ts) {}

    /**
     * What recording a consent did; {@code profileId} is told only to keys that may read. No
     * consent when the person named was erased and the policy's {@code ingest.afterErasure} is
     * {@code drop}: nothing was stored, and the answer counts it as suppressed.
     */
    public record Recorded(Optional<Consent> consent, boolean minor) {

        /** Nothing recorded: the identifier named an erased person. */
        static final Recorded SUPPRESSED = new Recorded(Optional.empty(), false);

        /** Whether the consent was dropped for naming an erased person. */
        public boolean suppressed() {
            return consent.isEmpty();
        }
    }

    /**
     * Records a consent. An ingest key (public, in web pages) names the person by visitorId only,
     * since it must learn nothing about who exists; a visitor not seen before is made. Every
     * mistake at once (422), nothing stored then. An identifier on the suppression list (an erased
     * person's) stores nothing under {@code ingest.afterErasure: drop}: a key that may read is told
     * 410, as identify tells it; an ingest key gets {@link Recorded#SUPPRESSED}, as track counts
     * its suppressed events. Under {@code new_subject} a visitor id starts a new, unlinked visitor.
     */
    public Recorded record(Caller caller, NewConsent in, List<FieldError> readErrors) {
        return record(caller, in, readErrors, false);
    }

    /**
     * As {@link #record(Caller, NewConsent, List)}; {@code gpc} is a {@code Sec-GPC: 1} header: a
     * grant of targeting in the request stands (the explicit choice, made with the signal on, is
     * not overridden by later GPC requests either); without one the header is recorded as the
     * objection to targeting, as on ingest.
     */
    public Recorded record(Caller caller, NewConsent in, List<FieldError> readErrors, boolean gpc) {
        AccountService.requireScope(caller, Scope.INGEST);
        String accountId = caller.accountId();
        Instant now = clock.instant();
        Instant ts = in.ts() == null ? now : in.ts();
        var errors = new ArrayList<FieldError>();
        if (Intake.inTheFuture(ts, now)) errors.add(new FieldError("ts", "is in the future"));
        var policy = policies.inForce(accountId).map(v -> v.policy()).orElse(null);
        var known = purposes(policy);
        if (in.purposes() != null) {
            if (in.purposes().isEmpty()) errors.add(new FieldError("purposes", "give at least one purpose"));
            in.purposes().keySet().forEach(name -> {
                if (!known.contains(name))
                    errors.add(new FieldError(
                            JsonFields.at("purposes", name),
                            "is not a purpose of this account (" + String.join(", ", known) + ")"));
            });
        }
        label(in.source(), "source", true, errors);
        label(in.proofForm(), "proof.form", false, errors);
        String ip = in.proofIp() == null ? null : in.proofIp().strip().toLowerCase(java.util.Locale.ROOT);
        if (ip != null && !IP.matcher(ip).matches())
            errors.add(new FieldError("proof.ip", "must be an IPv4 or IPv6 address"));
        Optional<IdentifierKind> kind = Optional.empty();
        Optional<String> value = Optional.empty();
        if (in.subject() != null) {
            String path = JsonFields.at("subject", in.subject().kind());
            if ("profileId".equals(in.subject().kind())) {
                value = Ids.parse(in.subject().value());
                if (value.isEmpty()) errors.add(new FieldError(path, "must be a profile id"));
            } else {
                kind = IdentifierKind.ofWireName(in.subject().kind());
                value = kind.flatMap(k -> k.normalise(in.subject().value()));
                if (kind.isPresent() && value.isEmpty())
                    errors.add(new FieldError(path, kind.get().problem()));
            }
            if (!caller.may(Scope.READ)
                    && kind.filter(IdentifierKind.VISITOR::equals).isEmpty())
                errors.add(new FieldError(
                        path, "an ingest key names the person by visitorId only (it must not learn who exists)"));
        }
        var all = JsonFields.merge(readErrors, errors);
        if (!all.isEmpty()) throw new InvalidInputException("The consent is not valid.", all);
        var byKind = kind;
        var normalised = value.get();
        // an erased person's identifier is on the suppression list: drop, or someone new (policy)
        var named = kind.map(k -> new Suppressions.Entry(k, subjects.blindIndex(accountId, k, normalised)));
        boolean drop = (policy == null ? Policy.Ingest.DEFAULT : policy.ingest()).afterErasure() == AfterErasure.DROP;
        return transactions.inTransaction(h -> {
            var found = new ArrayList<FieldError>();
            var version = ledger.policy(h, accountId, in.policyVersion());
            if (version.isEmpty())
                found.add(new FieldError(
                        "policyVersion", "no such privacy-policy version: POST /v1/privacy-policies first"));
            else if (version.get().publishedAt().isAfter(ts))
                found.add(new FieldError("policyVersion", "was published after this consent's time"));
            if (drop && suppressed(h, accountId, named, now)) {
                if (!found.isEmpty()) throw new InvalidInputException("The consent is not valid.", found);
                return suppressedAnswer(caller);
            }
            String subjectId =
                    subjectOf(h, accountId, policy, byKind, normalised, ts).orElse(null);
            if (subjectId == null)
                found.add(new FieldError(
                        JsonFields.at("subject", in.subject().kind()), "no person is known by it in this account"));
            if (!found.isEmpty()) throw new InvalidInputException("The consent is not valid.", found);
            var locked = subjects.lock(h, accountId, List.of(subjectId));
            // an erasure that committed since the list was read (its purge may have deleted the
            // visitor id, so a new visitor was made above): start over, and find it on the list
            if (drop && suppressed(h, accountId, named, now))
                throw new Transactions.Retry("the person named was erased meanwhile");
            if (locked.isErased(subjectId))
                throw new GoneException("This person's data was erased (their key was destroyed); nothing was stored.");
            var consent = new Consent(
                    ids.next(),
                    subjectId,
                    version.get().version(),
                    in.source(),
                    ts,
                    now,
                    in.proofForm(),
                    ip == null ? null : HexFormat.of().formatHex(keyring.blindIndex(accountId, "consent.ip", ip)),
                    in.purposes());
            append(h, accountId, caller.actor(), consent, version.get().publishedAt(), gpc);
            // Sec-GPC: 1 on the ledger: an explicit grant of targeting in this very request is the
            // person's latest, specific choice and stands; otherwise the signal is their objection
            if (gpc && !Boolean.TRUE.equals(in.purposes().get(ConsentGate.TARGETING)))
                objectByGpc(h, accountId, List.of(subjectId), caller.actor());
            boolean minor =
                    !ledger.minors(h, accountId, List.of(subjectId), today()).isEmpty();
            return new Recorded(Optional.of(consent), minor);
        });
    }

    /** Whether the identifier named is on the suppression list. */
    private boolean suppressed(Handle h, String accountId, Optional<Suppressions.Entry> named, Instant now) {
        return named.isPresent()
                && !subjects.suppressions()
                        .suppressed(h, accountId, List.of(named.get()), now)
                        .isEmpty();
    }

    /** What a consent naming an erased person is answered, nothing stored. */
    private static Recorded suppressedAnswer(Caller caller) {
        if (caller.may(Scope.READ))
            throw new GoneException(
                    "This person was erased: their identifiers are on the suppression list, and nothing was stored.");
        return Recorded.SUPPRESSED;
    }

    /** The subject named, a new anonymous visitor for a visitor id not seen before. */
    private Optional<String> subjectOf(
            Handle h, String accountId, Policy policy, Optional<IdentifierKind> kind, String value, Instant ts) {
        if (kind.isEmpty())
            return subjects.store()
                    .find(h, accountId, value)
                    .filter(s -> s.identified())
                    .map(s -> s.subjectId());
        String index = subjects.blindIndex(accountId, kind.get(), value);
        if (kind.get() != IdentifierKind.VISITOR) return subjects.find(h, accountId, kind.get(), index);
        String type = policy == null ? "visitor" : policy.anonymousType();
        return Optional.ofNullable(
                subjects.visitors(h, accountId, type, Map.of(index, ts)).get(index));
    }

    private void append(Handle h, String accountId, Actor actor, Consent c, Instant policyPublishedAt) {
        append(h, accountId, actor, c, policyPublishedAt, false);
    }

    private void append(Handle h, String accountId, Actor actor, Consent c, Instant policyPublishedAt, boolean gpc) {
        ledger.insert(h, accountId, c, policyPublishedAt, gpc);
        var granted = new TreeSet<String>();
        var withdrawn = new TreeSet<String>();
        c.purposes().forEach((p, g) -> (g ? granted : withdrawn).add(p));
        var detail = new LinkedHashMap<String, Object>();
        detail.put("granted", List.copyOf(granted));
        detail.put("withdrawn", List.copyOf(withdrawn));
        if (c.policyVersion() != null) detail.put("policyVersion", c.policyVersion());
        audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        actor,
                        "consent.record",
                        List.of("consent:" + c.consentId(), "profile:" + c.subjectId()),
                        detail));
    }

    /**
     * Withdraws consent to (or objects to) {@code purposes} for a person, in the caller's
     * transaction: consent-based values of those purposes stop at once and what was stored goes at
     * the next sweep. For objection requests. The caller holds the person's lock (docs/locks.md).
     */
    public Consent withdraw(Handle h, String accountId, String subjectId, Set<String> purposes, String source) {
        Instant now = clock.instant();
        var version = ledger.inForce(h, accountId, now);
        var map = new LinkedHashMap<String, Boolean>();
        new TreeSet<>(purposes).forEach(p -> map.put(p, false));
        var consent = new Consent(
                ids.next(),
                subjectId,
                version.map(PrivacyPolicyVersion::version).orElse(null),
                source,
                now,
                now,
                null,
                null,
                map);
        append(
                h,
                accountId,
                Actor.SYSTEM,
                consent,
                version.map(PrivacyPolicyVersion::publishedAt).orElse(null));
        return consent;
    }

    /**
     * Records {@code Sec-GPC: 1} as an objection to targeting for each of these people whose latest
     * word on targeting is neither already an objection nor a grant they gave with the signal on;
     * in the ingest's transaction, under its locks. Returns the people the signal applies to: all
     * but those whose grant given with the signal on stands.
     */
    public Set<String> objectByGpc(Handle h, String accountId, Collection<String> subjectIds, Actor actor) {
        if (subjectIds.isEmpty()) return Set.of();
        var standings = standings(h, accountId, subjectIds);
        var chosen = ledger.grantedUnderGpc(h, accountId, subjectIds, ConsentGate.TARGETING);
        Instant now = clock.instant();
        var version = ledger.inForce(h, accountId, now);
        for (String subjectId : new TreeSet<>(subjectIds)) {
            if (standings.getOrDefault(subjectId, Standing.NONE).objects(ConsentGate.TARGETING)) continue;
            // a grant given with the signal on is the person's explicit choice over it
            if (chosen.contains(subjectId)) continue;
            var consent = new Consent(
                    ids.next(),
                    subjectId,
                    version.map(PrivacyPolicyVersion::version).orElse(null),
                    GPC_SOURCE,
                    now,
                    now,
                    null,
                    null,
                    Map.of(ConsentGate.TARGETING, false));
            append(
                    h,
                    accountId,
                    actor,
                    consent,
                    version.map(PrivacyPolicyVersion::publishedAt).orElse(null));
        }
        var applies = new java.util.HashSet<>(subjectIds);
        applies.removeAll(chosen);
        return applies;
    }

    // -------------------------------------------------------------------------------------
    // Where people stand

    /** Where a person stands now: the latest answer per purpose and whether they are a minor. */
    public Standing current(Handle h, String accountId, String subjectId) {
        return standings(h, accountId, List.of(subjectId)).getOrDefault(subjectId, Standing.NONE);
    }

    /** {@link #current} for several people at once (an ingest batch). */
    public Map<String, Standing> standings(Handle h, String accountId, Collection<String> subjectIds) {
        Instant now = clock.instant();
        var since = ledger.reconsentSince(h, accountId, now);
        var latest = ledger.latest(h, accountId, subjectIds, since);
        var minors = new java.util.HashSet<>(ledger.minors(h, accountId, subjectIds, today()));
        var out = new LinkedHashMap<String, Standing>();
        for (String id : subjectIds) {
            boolean minor = minors.contains(id);
            var states = new LinkedHashMap<String, PurposeState>();
            latest.getOrDefault(id, Map.of())
                    .forEach((p, s) -> states.put(
                            p,
                            minor && s.current()
                                    ? new PurposeState(
                                            s.purpose(),
                                            s.granted(),
                                            false,
                                            s.at(),
                                            s.policyVersion(),
                                            s.source(),
                                            s.consentId())
                                    : s));
            out.put(id, new Standing(states, minor));
        }
        return out;
    }

    /**
     * Decides from a birth date and a country (ISO code, may be null: the policy's default age)
     * whether a person is a minor under the policy's {@code consentAge}, and records it; returns
     * true for a minor. Only the year of coming of age is kept (the first of January after it),
     * never the birth date.
     */
    public boolean assessAge(
            Handle h, String accountId, String subjectId, Policy policy, LocalDate birthDate, String country) {
        int age = policy.consentAge() == null
                ? Policy.ConsentAge.GDPR_DEFAULT.forCountry(country)
                : policy.consentAge().forCountry(country);
        LocalDate adult = birthDate.plusYears(age);
        if (!today().isBefore(adult)) {
            ledger.clearMinor(h, accountId, subjectId);
            return false;
        }
        ledger.markMinor(h, accountId, subjectId, LocalDate.of(adult.getYear() + 1, 1, 1));
        return true;
    }

    /** Moves a person's minor mark to the survivor of a merge (the ledger moves by the registry). */
    public static int mergeMinor(Handle h, String accountId, String from, String into) {
        return ConsentLedger.moveMinor(h, accountId, from, into);
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    // -------------------------------------------------------------------------------------
    // Reading

    /** A profile's consent history, oldest first (read); the read is audited. */
    public List<Consent> history(Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        return transactions.inTransaction(h -> {
            subjects.store().find(h, accountId, profileId).orElseThrow(() -> new NotFoundException("No such profile."));
            var out = ledger.history(h, accountId, profileId);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "consent.history.read",
                            List.of("profile:" + profileId),
                            Map.of("consents", out.size())));
            return out;
        });
    }

    /**
     * A person's consent history, oldest first, in the caller's transaction (the access package
     * reads it beside everything else and audits the download as a whole).
     */
    public List<Consent> history(Handle h, String accountId, String subjectId) {
        return ledger.history(h, accountId, subjectId);
    }

    /** One consent's receipt (read); the read is audited. */
    public ConsentReceipt receipt(Caller caller, String consentId) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        var policy = policies.inForce(accountId).map(v -> v.policy()).orElse(null);
        return transactions.inTransaction(h -> {
            var c = ledger.consent(h, accountId, consentId)
                    .orElseThrow(() -> new NotFoundException("No such consent."));
            String url = c.policyVersion() == null
                    ? null
                    : ledger.policy(h, accountId, c.policyVersion())
                            .map(PrivacyPolicyVersion::url)
                            .orElse(null);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "consent.receipt.read",
                            List.of("consent:" + consentId, "profile:" + c.subjectId()),
                            Map.of()));
            return ConsentReceipt.of(c, policy, url);
        });
    }

    /**
     * The purposes a consent may name: the cookie categories (required, functionality,
     * performance, targeting) and every purpose a category of the policy declares.
     */
    public static Set<String> purposes(Policy policy) {
        var out = new LinkedHashSet<String>();
        for (var c : CookieCategory.values()) out.add(c.wireName());
        if (policy != null) policy.categories().values().forEach(c -> out.add(c.purpose()));
        return out;
    }

    private static void label(String text, String path, boolean required, List<FieldError> errors) {
        if (text == null) {
            if (required) errors.add(new FieldError(path, "is required"));
            return;
        }
        if (!LABEL.matcher(text).matches())
            errors.add(new FieldError(
                    path,
                    "must be a name: a letter or digit, then letters, digits or _ . : / + - (no spaces; at most "
                            + MAX_LABEL + " characters)"));
    }
}
