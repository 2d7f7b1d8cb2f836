package dev.lethe.activity;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditLog;
import dev.lethe.consent.ConsentGate;
import dev.lethe.consent.ConsentReport;
import dev.lethe.consent.Consents;
import dev.lethe.consent.Standing;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.input.Batch;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.AfterErasure;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.registry.Trigger;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.Suppressions;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 * Ingest of communications: SMS, email, chat, voice, push and OTT messages. Each message is
 * governed by the first record rule of kind {@code message} its product, channel, api, direction
 * and subject type match (attachments by a {@code media} rule); a message no rule governs is
 * refused, since it would have no retention. Content, attachments and traffic data are personal
 * values, sealed under the person's key; the message row keeps only ids, times and routing words.
 */
public final class MessageService {

    public static final int MAX_BATCH = 1000;

    private static final Set<String> DIRECTIONS = Set.of("inbound", "outbound");

    /** How far after its {@code ts} a message may be scheduled to be sent. */
    static final Duration LONGEST_SCHEDULE = Duration.ofDays(366);

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final MessageStore store;
    private final StatisticsStore statistics;
    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final PolicyService policies;
    private final Consents consents;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final Restrictions restrictions;

    public MessageService(
            Jdbi jdbi,
            Transactions transactions,
            MessageStore store,
            StatisticsStore statistics,
            SubjectDirectory subjects,
            PersonalValues values,
            PolicyService policies,
            Consents consents,
            AuditLog audit,
            Ids ids,
            Clock clock,
            Restrictions restrictions) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.store = store;
        this.statistics = statistics;
        this.subjects = subjects;
        this.values = values;
        this.policies = policies;
        this.consents = consents;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        this.restrictions = restrictions;
    }

    /**
     * A message fit to store, with the rules that govern it: {@code rule} its content (kind
     * message), {@code logRule} its row (kind message_log, else the message rule), and
     * {@code partRules} each value's part (traffic data, media, recordings; else the message rule).
     */
    private record Checked(
            int index,
            IncomingMessage message,
            Instant ts,
            RecordRule rule,
            RecordRule logRule,
            Map<String, RecordRule> partRules,
            String subjectType,
            List<Intake.Kept<Sensitive>> values,
            List<Intake.Kept<Sensitive>> identifierValues,
            Optional<RecordRule> profileRule) {}

    /**
     * Stores what can be stored of the batch. A message the reader refused is checked all the
     * same, so its answer names every mistake at once; 422 when the batch holds more than
     * {@link #MAX_BATCH} messages.
     */
    public TrackResult ingest(Caller caller, Batch<IncomingMessage> batch) {
        return ingest(caller, batch, false);
    }

    /**
     * As {@link #ingest(Caller, Batch)}; {@code gpc} is a {@code Sec-GPC: 1} header on the request:
     * each person of the batch objects to targeting (recorded once, as track does), and no value
     * whose purpose is targeting is stored.
     */
    public TrackResult ingest(Caller caller, Batch<IncomingMessage> batch, boolean gpc) {
        AccountService.requireScope(caller, Scope.INGEST);
        var messages = batch.items();
        if (messages.size() > MAX_BATCH) {
            throw new InvalidInputException(
                    "The batch is too large.",
                    List.of(new FieldError(
                            "messages", "at most " + MAX_BATCH + " messages per call, not " + messages.size())));
        }
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        Instant now = clock.instant();
        var rejected = new LinkedHashMap<Integer, List<FieldError>>();
        var checked = new ArrayList<Checked>();
        int dropped = 0;
        var expired = new ArrayList<TrackResult.Expired>();
        String defaultType = policy.messagingType();
        for (int i = 0; i < messages.size(); i++) {
            var m = messages.get(i);
            // what the reader refused reaches the checks as missing: no rule is judged on it
            var read = batch.refused().getOrDefault(i, List.of());
            String at = "messages[" + i + "]";
            var errors = new ArrayList<FieldError>();
            String subjectType = m.subjectType() != null ? m.subjectType() : defaultType;
            if (!policy.subjects().containsKey(subjectType)) {
                errors.add(new FieldError(
                        at + ".subjectType", "'" + subjectType + "' is not a subject type of the policy"));
            }
            if (m.identifiers().isEmpty() && m.profileId() == null) {
                errors.add(new FieldError(at + ".subject", "give one of email, phone, externalId or profileId"));
            }
            // A person a message makes is found again by these identifiers and shows them: their
            // values are kept, under their category (identifiers.email, else traits.email), so an
            // identifier without one is refused as identify refuses it.
            var identifierValues = new LinkedHashMap<String, List<Sensitive>>();
            m.identifiers().forEach((kind, text) -> {
                var normal = kind.normalise(text);
                if (normal.isEmpty()) {
                    errors.add(new FieldError(at + ".subject." + kind.wireName(), kind.problem()));
                } else if (Classification.ofIdentifier(policy, kind.field(), subjectType)
                        instanceof Classification.Rejected r) {
                    errors.add(new FieldError(at + ".subject." + kind.wireName(), r.reason()));
                } else {
                    identifierValues.put(kind.field(), List.of(new Sensitive(normal.get())));
                }
            });
            if (m.channel() == null || !m.channel().matches("[a-z][a-z0-9_]{0,39}")) {
                errors.add(new FieldError(
                        at + ".channel",
                        "is required: a lower-case word such as sms, email, chat, voice, push, whatsapp"));
            }
            // checked here, before the database sees them: a value longer than its column would
            // fail the insert with a message that quotes it
            tooLong(m.product(), 64, at + ".product", errors);
            tooLong(m.api(), 32, at + ".api", errors);
            tooLong(m.status(), 32, at + ".status", errors);
            if (m.campaignId() != null)
                Campaigns.idProblem(m.campaignId())
                        .ifPresent(why -> errors.add(new FieldError(at + ".campaignId", why)));
            if (m.direction() == null || !DIRECTIONS.contains(m.direction())) {
                errors.add(new FieldError(at + ".direction", "must be inbound or outbound"));
            }
            Instant ts = m.ts() == null ? now : m.ts();
            if (Intake.inTheFuture(ts, now)) errors.add(new FieldError(at + ".ts", "is in the future"));
            if (m.sendAt() != null && (m.sendAt().isBefore(ts) || m.sendAt().isAfter(ts.plus(LONGEST_SCHEDULE)))) {
                errors.add(new FieldError(
                        at + ".sendAt", "must be on or after the message's ts and at most 366 days after it"));
            }
            var attributes = attributes(m, subjectType);
            // a message of a campaign is governed by the campaign's rule (counted from the
            // campaign's end) when the policy has one for it, else by its message rule
            var rule = (m.campaignId() != null
                            ? GoverningRules.first(policy, RecordKind.CAMPAIGN, attributes)
                            : Optional.<RecordRule>empty())
                    .or(() -> GoverningRules.first(policy, RecordKind.MESSAGE, attributes));
            if (rule.isEmpty() && errors.isEmpty() && read.isEmpty()) {
                errors.add(new FieldError(
                        at,
                        "no record of kind 'message' in the policy matches " + attributes
                                + (m.campaignId() != null ? " (nor one of kind 'campaign')" : "")
                                + ", so it would have no retention rule"));
            }
            if (!m.attachments().isEmpty()
                    && read.isEmpty()
                    && GoverningRules.first(policy, RecordKind.MEDIA, attributes)
                            .isEmpty()) {
                errors.add(new FieldError(
                        at + ".attachments", "no record of kind 'media' in the policy matches " + attributes));
            }
            var fields = new LinkedHashMap<String, List<Sensitive>>();
            m.values().forEach((f, v) -> fields.put(f, List.of(v)));
            if (!m.attachments().isEmpty()) fields.put("message.attachments", m.attachments());
            var intake = Intake.sort(fields, f -> Classification.of(policy, f, subjectType), ts, now, at + ".");
            errors.addAll(intake.refused());
            dropped += intake.dropped();
            int index = i;
            intake.expired().forEach(f -> expired.add(new TrackResult.Expired(index, f)));
            var kept = intake.kept();
            if (!errors.isEmpty() || !read.isEmpty()) {
                rejected.put(i, JsonFields.merge(read, errors));
                continue;
            }
            var logRule = GoverningRules.first(policy, RecordKind.MESSAGE_LOG, attributes)
                    .orElse(rule.get());
            var partRules = new HashMap<String, RecordRule>();
            for (var v : kept) {
                partRules.put(
                        v.field(),
                        GoverningRules.first(policy, partOf(v.field()), attributes)
                                .orElse(rule.get()));
            }
            var identifierIntake = Intake.sort(
                    identifierValues,
                    f -> Classification.ofIdentifier(policy, f, subjectType),
                    ts,
                    now,
                    at + ".subject.");
            checked.add(new Checked(
                    i,
                    m,
                    ts,
                    rule.get(),
                    logRule,
                    partRules,
                    subjectType,
                    kept,
                    identifierIntake.kept(),
                    GoverningRules.forSubject(policy, RecordKind.PROFILE, subjectType)));
        }

        var accepted = new ArrayList<Integer>();
        int droppedValues = dropped;
        if (!checked.isEmpty()) {
            var conversationRules = policy.records().values().stream()
                    .filter(GoverningRules::countsFromConversation)
                    .map(RecordRule::name)
                    .toList();
            int expiredBefore = expired.size();
            // The audit entry in the same transaction: no messages are stored without it.
            return transactions.inTransaction(h -> {
                // a retried transaction starts from the same verdicts
                accepted.clear();
                expired.subList(expiredBefore, expired.size()).clear();
                checked.forEach(c -> rejected.remove(c.index()));
                var consent = new ConsentReport.Tally(gpc);
                int suppressed =
                        store(h, caller, policy, checked, conversationRules, now, accepted, rejected, expired, consent);
                var result =
                        TrackResult.of(accepted.size(), rejected, droppedValues, expired, suppressed, consent.report());
                audit.append(h, result.auditEvent(accountId, caller.actor(), "activity.messages"));
                return result;
            });
        }
        var result = TrackResult.of(accepted.size(), rejected, dropped, expired, 0, ConsentReport.NONE);
        audit.append(result.auditEvent(accountId, caller.actor(), "activity.messages"));
        return result;
    }

    /** Stores the batch; returns how many messages it dropped for naming an erased person. */
    private int store(
            Handle h,
            Caller caller,
            Policy policy,
            List<Checked> batch,
            List<String> conversationRules,
            Instant now,
            List<Integer> accepted,
            Map<Integer, List<FieldError>> rejected,
            List<TrackResult.Expired> expired,
            ConsentReport.Tally consent) {
        String accountId = caller.accountId();
        var rows = new ArrayList<Message>();
        var newValues = new ArrayList<NewValue>();
        var tally = new Tally();
        var resolved = new HashMap<String, String>();
        var subjectOf = new HashMap<Integer, String>();
        var created = new HashSet<String>();
        var heldOut = new HashSet<Integer>();
        var indexesOf = new HashMap<Integer, Map<IdentifierKind, String>>();
        for (var c : batch) indexesOf.put(c.index(), indexes(accountId, c.message()));
        // An erased person's identifiers are on the suppression list: a message naming one is
        // dropped and counted, or starts someone new, as the policy says (ingest.afterErasure);
        // it never finds the erased person again.
        boolean drop = policy.ingest().afterErasure() == AfterErasure.DROP;
        Set<Integer> suppressed = drop ? suppressed(h, accountId, indexesOf, now) : Set.of();
        for (var c : batch) {
            if (suppressed.contains(c.index())) continue;
            var subject = resolve(h, accountId, policy, c, indexesOf.get(c.index()), consent.gpc(), resolved, created);
            if (subject.isPresent()) subjectOf.put(c.index(), subject.get());
            else if (c.message().profileId() == null) heldOut.add(c.index());
        }
        // Lock order (docs/locks.md): the batch's people first, in id order, then their keys.
        var locked = subjects.lock(h, accountId, new HashSet<>(subjectOf.values()));
        // An erasure that committed since the list was read (and whose purge may have deleted the
        // identifiers, so a new person was made above): start over, and find it on the list.
        if (drop) {
            var named = new HashMap<>(indexesOf);
            named.keySet().removeAll(suppressed);
            if (!suppressed(h, accountId, named, now).isEmpty())
                throw new Transactions.Retry("a person named by the batch was erased meanwhile");
        }
        var restricted = restrictions.restrictedAmong(h, accountId, subjectOf.values());
        // the consent gate (DESIGN promise 8): each person's values pass their consents
        var gpcApplies = consent.gpc()
                ? consents.objectByGpc(h, accountId, new HashSet<>(subjectOf.values()), caller.actor())
                : Set.<String>of();
        var standings = consents.standings(h, accountId, new HashSet<>(subjectOf.values()));
        standings.values().forEach(s -> {
            if (s.minor()) consent.minor();
        });
        var movedConversations = new HashMap<String, Instant>();
        for (var c : batch) {
            if (suppressed.contains(c.index())) continue;
            var m = c.message();
            String at = "messages[" + c.index() + "]";
            Optional<String> subject = Optional.ofNullable(subjectOf.get(c.index()));
            if (heldOut.contains(c.index())) {
                // every identifier is one the gate keeps out for a person with no consent: there is
                // no one to attach the message to (docs/consent.md, "Identifiers")
                ConsentGate.filter(
                        policy, c.subjectType(), Standing.NONE, consent.gpc(), c.identifierValues(), consent);
                var errors = new ArrayList<FieldError>();
                c.message()
                        .identifiers()
                        .keySet()
                        .forEach(kind -> errors.add(new FieldError(
                                at + ".subject." + kind.wireName(),
                                "is held on consent: without the person's consent it neither finds nor makes anyone,"
                                        + " so the message has no person and was not stored")));
                rejected.put(c.index(), errors);
                continue;
            }
            if (subject.isEmpty()) {
                rejected.put(
                        c.index(),
                        List.of(new FieldError(at + ".subject.profileId", "no such profile in this account")));
                continue;
            }
            if (locked.isErased(subject.get())) {
                rejected.put(
                        c.index(),
                        List.of(new FieldError(
                                at + ".subject", "this person's data was erased; messages for them are not stored")));
                continue;
            }
            if (restricted.contains(subject.get())) {
                rejected.put(
                        c.index(),
                        List.of(
                                new FieldError(
                                        at + ".subject",
                                        "this person's processing is restricted (GDPR Art. 18); messages for them are not stored")));
                continue;
            }
            // an identifier the gate keeps out for this person is counted; only a person the message
            // made gets their identifiers as their first values
            var identifiersKept = ConsentGate.filter(
                    policy,
                    c.subjectType(),
                    standings.get(subject.get()),
                    gpcApplies.contains(subject.get()),
                    c.identifierValues(),
                    consent);
            if (created.remove(subject.get())) {
                var profileRule = c.profileRule();
                for (var v : identifiersKept) {
                    newValues.add(new NewValue(
                            subject.get(),
                            v.category(),
                            v.field(),
                            c.ts(),
                            "profile",
                            subject.get(),
                            profileRule.map(RecordRule::name).orElse(null),
                            profileRule
                                    .map(r -> GoverningRules.anchor(r, GoverningRules.Times.collected(c.ts())))
                                    .orElse(c.ts()),
                            v.value()));
                }
            }
            String conversationKey = m.conversationId() == null
                    ? null
                    : subjects.blindIndex(
                            accountId,
                            IdentifierKind.EXTERNAL_ID,
                            "conversation:" + m.conversationId().strip());
            Instant start = null;
            if (conversationKey != null) {
                var before = store.conversationSeen(h, accountId, conversationKey, subject.get(), c.ts());
                start = before.filter(b -> !c.ts().isBefore(b)).orElse(c.ts());
                if (before.isPresent() && c.ts().isBefore(before.get())) movedConversations.put(conversationKey, start);
            }
            var times = new GoverningRules.Times(c.ts(), m.sendAt(), start);
            if (expiredOnArrival(c.rule(), times, now)) {
                expired.add(new TrackResult.Expired(c.index(), "message"));
                continue;
            }
            String messageId = ids.next();
            rows.add(new Message(
                    messageId,
                    subject.get(),
                    m.channel(),
                    m.product(),
                    m.api(),
                    m.direction(),
                    c.rule().name(),
                    conversationKey,
                    m.campaignId(),
                    m.status(),
                    c.ts(),
                    now,
                    m.sendAt(),
                    c.logRule().name(),
                    GoverningRules.anchor(c.logRule(), times)));
            for (var v : ConsentGate.filter(
                    policy,
                    c.subjectType(),
                    standings.get(subject.get()),
                    gpcApplies.contains(subject.get()),
                    c.values(),
                    consent)) {
                var part = c.partRules().get(v.field());
                newValues.add(new NewValue(
                        subject.get(),
                        v.category(),
                        v.field(),
                        c.ts(),
                        partOf(v.field()).wireName(),
                        messageId,
                        part.name(),
                        GoverningRules.anchor(part, times),
                        v.value()));
            }
            subjects.store().seen(h, accountId, subject.get(), c.ts(), c.ts());
            tally.message(c.ts(), m.channel(), m.status());
            accepted.add(c.index());
        }
        store.insert(h, accountId, rows);
        values.store(h, accountId, newValues);
        movedConversations.forEach(
                (key, start) -> store.reanchorConversation(h, accountId, key, conversationRules, start));
        statistics.add(h, accountId, tally.counts());
        return suppressed.size();
    }

    /** The blind indexes of the identifiers a message names its person by (none for a profile id). */
    private Map<IdentifierKind, String> indexes(String accountId, IncomingMessage m) {
        var indexes = new LinkedHashMap<IdentifierKind, String>();
        if (m.profileId() != null) return indexes;
        m.identifiers()
                .forEach((kind, text) -> indexes.put(
                        kind,
                        subjects.blindIndex(
                                accountId, kind, kind.normalise(text).orElseThrow())));
        return indexes;
    }

    /** The messages (by index) that name an erased person by an identifier on the suppression list. */
    private Set<Integer> suppressed(
            Handle h, String accountId, Map<Integer, Map<IdentifierKind, String>> indexesOf, Instant now) {
        var entries = new HashSet<Suppressions.Entry>();
        indexesOf.values().forEach(m -> m.forEach((kind, index) -> entries.add(new Suppressions.Entry(kind, index))));
        var listed = subjects.suppressions().suppressed(h, accountId, entries, now);
        if (listed.isEmpty()) return Set.of();
        var out = new HashSet<Integer>();
        indexesOf.forEach((i, m) -> m.forEach((kind, index) -> {
            if (listed.contains(new Suppressions.Entry(kind, index))) out.add(i);
        }));
        return out;
    }

    /**
     * The message's person: a known profile, or the one its identifiers find or make. As identify
     * does (docs/consent.md, "Identifiers"), an identifier the consent gate keeps out finds only a
     * person whose consents let it through, and a new person claims only the identifiers the gate
     * lets through for someone with no consent; empty when there is none.
     */
    private Optional<String> resolve(
            Handle h,
            String accountId,
            Policy policy,
            Checked c,
            Map<IdentifierKind, String> indexes,
            boolean gpc,
            Map<String, String> resolved,
            Set<String> created) {
        var m = c.message();
        if (m.profileId() != null) {
            return Ids.parse(m.profileId())
                    .flatMap(id -> subjects.store().find(h, accountId, id))
                    .filter(Subject::identified)
                    .map(Subject::subjectId);
        }
        for (var e : indexes.entrySet()) {
            String cacheKey = e.getKey() + ":" + e.getValue();
            if (resolved.containsKey(cacheKey)) return Optional.of(resolved.get(cacheKey));
            var found = subjects.find(h, accountId, e.getKey(), e.getValue())
                    .filter(person -> usable(policy, c, e.getKey(), consents.current(h, accountId, person), gpc));
            if (found.isPresent()) {
                resolved.put(cacheKey, found.get());
                return found;
            }
        }
        var claims = new LinkedHashMap<IdentifierKind, String>();
        indexes.forEach((kind, index) -> {
            if (usable(policy, c, kind, Standing.NONE, gpc)) claims.put(kind, index);
        });
        if (claims.isEmpty()) return Optional.empty();
        // a new person: claimed identifier by identifier, so two batches naming them at once make one
        var profile = subjects.createProfile(h, accountId, c.subjectType(), claims, c.ts());
        claims.forEach((kind, index) -> resolved.put(kind + ":" + index, profile.subjectId()));
        created.add(profile.subjectId());
        return Optional.of(profile.subjectId());
    }

    /** Whether the consent gate lets this identifier of the message through for a person with {@code standing}. */
    private static boolean usable(Policy policy, Checked c, IdentifierKind kind, Standing standing, boolean gpc) {
        return ConsentGate.usable(policy, c.subjectType(), standing, gpc, c.identifierValues(), kind.field());
    }

    /** True when the message's rule had already run out, by one of its row's own triggers, on arrival. */
    private static boolean expiredOnArrival(RecordRule rule, GoverningRules.Times times, Instant now) {
        var retention = rule.retention();
        for (Trigger t : retention.after()) {
            Instant from = switch (t) {
                case Trigger.Collected c -> times.collected();
                case Trigger.Sent s -> times.sendAt() != null ? times.sendAt() : times.collected();
                case Trigger.ConversationStarted c -> times.conversationStart();
                default -> null;
            };
            if (from != null
                    && !from.atZone(ZoneOffset.UTC)
                            .plus(retention.period())
                            .toInstant()
                            .isAfter(now)) return true;
        }
        return false;
    }

    /** The kind of record part a message's field belongs to. */
    private static RecordKind partOf(String field) {
        if (field.startsWith("traffic.")) return RecordKind.TRAFFIC;
        if (field.equals("message.attachments")) return RecordKind.MEDIA;
        if (field.equals("message.recording")) return RecordKind.RECORDING;
        return RecordKind.MESSAGE;
    }

    private static Map<String, String> attributes(IncomingMessage m, String subjectType) {
        var out = new LinkedHashMap<String, String>();
        if (m.product() != null) out.put("product", m.product());
        if (m.channel() != null) out.put("channel", m.channel());
        if (m.api() != null) out.put("api", m.api());
        if (m.direction() != null) out.put("direction", m.direction());
        out.put("subject", subjectType);
        return out;
    }

    private static void tooLong(String text, int most, String at, List<FieldError> errors) {
        if (text != null && text.length() > most)
            errors.add(new FieldError(at, "is longer than " + most + " characters"));
    }
}
