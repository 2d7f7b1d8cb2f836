package dev.lethe.activity;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.FieldError;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.RecordKind;
import dev.lethe.registry.RecordRule;
import dev.lethe.registry.Trigger;
import dev.lethe.storage.Ids;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.NewValue;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
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

    private final Jdbi jdbi;
    private final MessageStore store;
    private final StatisticsStore statistics;
    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final PolicyService policies;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;

    public MessageService(
            Jdbi jdbi,
            MessageStore store,
            StatisticsStore statistics,
            SubjectDirectory subjects,
            PersonalValues values,
            PolicyService policies,
            AuditLog audit,
            Ids ids,
            Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.statistics = statistics;
        this.subjects = subjects;
        this.values = values;
        this.policies = policies;
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
    }

    private record Checked(
            int index,
            IncomingMessage message,
            Instant ts,
            RecordRule rule,
            String subjectType,
            List<Intake.Kept<Sensitive>> values) {}

    /** Stores what can be stored of the batch; {@code readErrors} are messages the reader refused. */
    public TrackResult ingest(
            Caller caller, List<IncomingMessage> messages, Map<Integer, List<FieldError>> readErrors) {
        AccountService.requireScope(caller, Scope.INGEST);
        String accountId = caller.accountId();
        Policy policy = policies.requireInForce(accountId).policy();
        Instant now = clock.instant();
        var rejected = new LinkedHashMap<Integer, List<FieldError>>(readErrors);
        var checked = new ArrayList<Checked>();
        int dropped = 0;
        var expired = new ArrayList<TrackResult.Expired>();
        String defaultType = policy.subjects().containsKey("end_user")
                ? "end_user"
                : policy.subjects().keySet().iterator().next();
        for (int i = 0; i < messages.size(); i++) {
            if (rejected.containsKey(i)) continue;
            var m = messages.get(i);
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
            m.identifiers().forEach((kind, text) -> {
                if (kind.normalise(text).isEmpty())
                    errors.add(new FieldError(at + ".subject." + kind.wireName(), kind.problem()));
            });
            if (m.channel() == null || !m.channel().matches("[a-z][a-z0-9_]{0,39}")) {
                errors.add(new FieldError(
                        at + ".channel",
                        "is required: a lower-case word such as sms, email, chat, voice, push, whatsapp"));
            }
            if (m.direction() == null || !DIRECTIONS.contains(m.direction())) {
                errors.add(new FieldError(at + ".direction", "must be inbound or outbound"));
            }
            Instant ts = m.ts() == null ? now : m.ts();
            if (ts.isAfter(now.plus(Duration.ofMinutes(5)))) errors.add(new FieldError(at + ".ts", "is in the future"));
            var attributes = attributes(m, subjectType);
            var rule = first(policy, RecordKind.MESSAGE, attributes);
            if (rule.isEmpty() && errors.isEmpty()) {
                errors.add(new FieldError(
                        at,
                        "no record of kind 'message' in the policy matches " + attributes
                                + ", so it would have no retention rule"));
            }
            if (!m.attachments().isEmpty()
                    && first(policy, RecordKind.MEDIA, attributes).isEmpty()) {
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
            if (!errors.isEmpty()) {
                rejected.put(i, errors);
                continue;
            }
            checked.add(new Checked(i, m, ts, rule.get(), subjectType, kept));
        }

        var accepted = new ArrayList<Integer>();
        int droppedValues = dropped;
        if (!checked.isEmpty()) {
            // The audit entry in the same transaction: no messages are stored without it.
            return jdbi.inTransaction(h -> {
                store(h, accountId, checked, now, accepted, rejected, expired);
                var result = TrackResult.of(accepted.size(), rejected, droppedValues, expired);
                audit.append(h, result.auditEvent(accountId, caller.actor(), "activity.messages"));
                return result;
            });
        }
        var result = TrackResult.of(accepted.size(), rejected, dropped, expired);
        audit.append(result.auditEvent(accountId, caller.actor(), "activity.messages"));
        return result;
    }

    private void store(
            Handle h,
            String accountId,
            List<Checked> batch,
            Instant now,
            List<Integer> accepted,
            Map<Integer, List<FieldError>> rejected,
            List<TrackResult.Expired> expired) {
        var rows = new ArrayList<Message>();
        var newValues = new ArrayList<NewValue>();
        var tally = new Tally();
        var resolved = new HashMap<String, String>();
        for (var c : batch) {
            var m = c.message();
            String at = "messages[" + c.index() + "]";
            Optional<String> subject = resolve(h, accountId, m, c.subjectType(), c.ts(), resolved);
            if (subject.isEmpty()) {
                rejected.put(
                        c.index(),
                        List.of(new FieldError(at + ".subject.profileId", "no such profile in this account")));
                continue;
            }
            String conversationKey = m.conversationId() == null
                    ? null
                    : subjects.blindIndex(
                            accountId,
                            IdentifierKind.EXTERNAL_ID,
                            "conversation:" + m.conversationId().strip());
            if (conversationKey != null) store.conversationSeen(h, accountId, conversationKey, c.ts());
            if (expiredByRule(h, accountId, c.rule(), c.ts(), conversationKey, now)) {
                expired.add(new TrackResult.Expired(c.index(), "message"));
                continue;
            }
            String messageId = ids.next("msg");
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
                    now));
            for (var v : c.values()) {
                String kind = v.field().equals("message.attachments") ? "media" : "message";
                newValues.add(new NewValue(subject.get(), v.category(), v.field(), c.ts(), kind, messageId, v.value()));
            }
            subjects.store().seen(h, accountId, subject.get(), c.ts(), c.ts());
            tally.message(c.ts(), m.channel(), m.status());
            accepted.add(c.index());
        }
        store.insert(h, accountId, rows);
        values.store(h, accountId, newValues);
        statistics.add(h, accountId, tally.counts());
    }

    /** The message's person: a known profile, or the one its identifier finds or makes. */
    private Optional<String> resolve(
            Handle h,
            String accountId,
            IncomingMessage m,
            String subjectType,
            Instant ts,
            Map<String, String> resolved) {
        if (m.profileId() != null) {
            return subjects.store()
                    .find(h, accountId, m.profileId())
                    .filter(Subject::identified)
                    .map(Subject::subjectId);
        }
        var indexes = new LinkedHashMap<IdentifierKind, String>();
        m.identifiers()
                .forEach((kind, text) -> indexes.put(
                        kind,
                        subjects.blindIndex(
                                accountId, kind, kind.normalise(text).orElseThrow())));
        for (var e : indexes.entrySet()) {
            String cacheKey = e.getKey() + ":" + e.getValue();
            if (resolved.containsKey(cacheKey)) return Optional.of(resolved.get(cacheKey));
            var found = subjects.find(h, accountId, e.getKey(), e.getValue());
            if (found.isPresent()) {
                resolved.put(cacheKey, found.get());
                return found;
            }
        }
        var created = subjects.create(h, accountId, subjectType, true, ts);
        indexes.forEach((kind, index) -> {
            subjects.store().addIdentifier(h, accountId, kind, index, created.subjectId(), clock.instant());
            resolved.put(kind + ":" + index, created.subjectId());
        });
        return Optional.of(created.subjectId());
    }

    /** True when the message's record rule had already run out when it arrived. */
    private boolean expiredByRule(
            Handle h, String accountId, RecordRule rule, Instant ts, String conversationKey, Instant now) {
        var retention = rule.retention();
        var byCollection = retention.expiryByCollection(ts);
        if (byCollection.isPresent() && !byCollection.get().isAfter(now)) return true;
        if (retention.after().stream().anyMatch(t -> t instanceof Trigger.Sent)) {
            if (!ts.atZone(ZoneOffset.UTC).plus(retention.period()).toInstant().isAfter(now)) return true;
        }
        if (conversationKey != null && retention.after().contains(new Trigger.ConversationStarted())) {
            var start = store.conversationStart(h, accountId, conversationKey).orElse(ts);
            return !start.atZone(ZoneOffset.UTC)
                    .plus(retention.period())
                    .toInstant()
                    .isAfter(now);
        }
        return false;
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

    private static Optional<RecordRule> first(Policy policy, RecordKind kind, Map<String, String> attributes) {
        return policy.records().values().stream()
                .filter(r -> r.matches(kind, attributes))
                .findFirst();
    }
}
