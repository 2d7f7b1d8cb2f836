package dev.lethe.requests;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.AccountStore;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.ActivityStore;
import dev.lethe.activity.Timeline;
import dev.lethe.activity.TimelineCursor;
import dev.lethe.activity.TimelineQuery;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.AuditQuery;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalService;
import dev.lethe.notices.NoticeWords;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.Processor;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.StoredValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The answer to an access or portability request (GDPR Art. 15, 20): everything Lethe holds on the
 * person, and what the person must be told about it — per category its purpose, lawful basis,
 * source, retention and recipients (from the policy in force, as the notices read it), and who
 * read or exported their data (from the audit log). Written as it is read, page by page, so a
 * person with a hundred thousand events does not need them all in memory.
 *
 * <p>Each download is audited before its first byte is sent (fail closed); the first complete one
 * completes the request.
 */
public final class AccessPackages {

    /** Rows read per page: events, messages, values, audit entries. */
    static final int PAGE = 1000;

    /** Values of these records are given with their record, not among the person's values. */
    private static final List<String> WITH_THEIR_RECORD = List.of("event", "message");

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final Requests requests;
    private final SubjectStore subjects;
    private final Keyring keyring;
    private final PersonalValues values;
    private final Timeline timeline;
    private final ActivityStore activity;
    private final GoalService goals;
    private final PolicyService policies;
    private final AccountStore accounts;
    private final AuditLog audit;
    private final List<PackageSection> sections;
    private final Clock clock;

    public AccessPackages(
            Jdbi jdbi,
            Transactions transactions,
            Requests requests,
            SubjectStore subjects,
            Keyring keyring,
            PersonalValues values,
            Timeline timeline,
            ActivityStore activity,
            GoalService goals,
            PolicyService policies,
            AccountStore accounts,
            AuditLog audit,
            List<PackageSection> sections,
            Clock clock) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.requests = requests;
        this.subjects = subjects;
        this.keyring = keyring;
        this.values = values;
        this.timeline = timeline;
        this.activity = activity;
        this.goals = goals;
        this.policies = policies;
        this.accounts = accounts;
        this.audit = audit;
        this.sections = List.copyOf(sections);
        this.clock = clock;
    }

    /**
     * Checks the request and audits the download; then {@link #write} may stream. Problems are
     * answered here, before anything is sent.
     */
    public DataRequest open(Caller caller, String requestId, PackageFormat format) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String accountId = caller.accountId();
        return transactions.inTransaction(h -> {
            var r = requests.forPackage(h, accountId, requestId);
            if (!keyring.destroyed(h, accountId, List.of(r.subjectId())).isEmpty()
                    || subjects.find(h, accountId, r.subjectId()).isEmpty()) {
                throw new GoneException("This person's data was erased: there is nothing left to give.");
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "request.package.download",
                            List.of("request:" + r.requestId(), "profile:" + r.subjectId()),
                            Map.of("format", format.wireName())));
            return r;
        });
    }

    /** Writes the package of an opened request to {@code out}, then completes the request. */
    public void write(Caller caller, DataRequest r, PackageFormat format, OutputStream out) throws IOException {
        String accountId = caller.accountId();
        Instant now = clock.instant();
        var policy = policies.inForce(accountId).map(v -> v.policy());
        try (var sink = sink(format, out)) {
            jdbi.useTransaction(h -> {
                try {
                    walk(h, accountId, r, format, now, policy, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        transactions.useTransaction(h -> {
            var locked = requests.store()
                    .lock(h, accountId, r.requestId())
                    .orElseThrow(() -> new NotFoundException("No such request."));
            requests.delivered(h, caller, locked);
        });
    }

    private static PackageSink sink(PackageFormat format, OutputStream out) throws IOException {
        return switch (format) {
            case JSON -> new JsonPackageSink(out);
            case CSV -> new CsvPackageSink(out);
            case TEXT -> new TextPackageSink(out);
        };
    }

    private void walk(
            Handle h,
            String accountId,
            DataRequest r,
            PackageFormat format,
            Instant now,
            Optional<Policy> policy,
            PackageSink sink)
            throws IOException {
        String subjectId = r.subjectId();
        Subject subject =
                subjects.find(h, accountId, subjectId).orElseThrow(() -> new NotFoundException("No such person."));
        single(
                sink,
                PackageKind.REQUEST,
                row(
                        "id", r.requestId(),
                        "type", r.type().wireName(),
                        "receivedAt", r.receivedAt(),
                        "generatedAt", now,
                        "format", format.wireName()));
        single(
                sink,
                PackageKind.SUBJECT,
                row(
                        "id", subjectId,
                        "type", subject.subjectType(),
                        "identified", subject.identified(),
                        "firstSeenAt", subject.firstSeenAt(),
                        "lastSeenAt", subject.lastSeenAt(),
                        "createdAt", subject.createdAt()));

        sink.startKind(PackageKind.IDENTIFIERS);
        for (var i : subjects.identifiersOf(h, accountId, subjectId)) {
            sink.record(row(
                    "kind", i.kind().wireName(),
                    "firstCollectedAt", i.firstCollectedAt(),
                    "collectedAt", i.collectedAt()));
        }
        sink.endKind();

        sink.startKind(PackageKind.VALUES);
        StoredValue last = null;
        while (true) {
            var page = values.pageOfSubject(h, accountId, subjectId, WITH_THEIR_RECORD, last, PAGE);
            for (var v : page) {
                sink.record(row(
                        "category", v.category(),
                        "field", v.field(),
                        "collectedAt", v.collectedAt(),
                        "recordKind", v.recordKind(),
                        "recordId", v.recordId(),
                        "value", v.value()));
            }
            if (page.size() < PAGE) break;
            last = page.get(page.size() - 1);
        }
        sink.endKind();

        sink.startKind(PackageKind.SESSIONS);
        for (var s : activity.sessionsOf(h, accountId, subjectId)) {
            sink.record(row(
                    "id", s.sessionId(),
                    "startedAt", s.startedAt(),
                    "lastEventAt", s.lastEventAt(),
                    "events", s.eventCount(),
                    "pages", s.pageCount()));
        }
        sink.endKind();

        events(h, accountId, subjectId, sink);
        messages(h, accountId, subjectId, sink);

        sink.startKind(PackageKind.GOALS);
        var names = goals.list(h, accountId).stream().collect(Collectors.toMap(Goal::goalId, Goal::name));
        for (var hit : goals.hitsOf(h, accountId, subjectId)) {
            sink.record(row(
                    "goalId", hit.goalId(),
                    "name", names.get(hit.goalId()),
                    "achievedAt", hit.achievedAt(),
                    "sessionId", hit.sessionId(),
                    "eventId", hit.eventId()));
        }
        sink.endKind();

        for (var section : sections) {
            sink.startKind(section.kind());
            section.write(h, accountId, subjectId, sink::record);
            sink.endKind();
        }

        sink.startKind(PackageKind.REQUESTS);
        for (var earlier : requests.store().ofSubject(h, accountId, subjectId)) {
            sink.record(row(
                    "id", earlier.requestId(),
                    "type", earlier.type().wireName(),
                    "status", earlier.status().wireName(),
                    "outcome", earlier.outcome(),
                    "receivedAt", earlier.receivedAt(),
                    "dueAt", earlier.effectiveDue(),
                    "closedAt", earlier.closedAt()));
        }
        sink.endKind();

        categories(h, accountId, subject, policy, sink);
        accessLog(h, accountId, subjectId, sink);
    }

    private void events(Handle h, String accountId, String subjectId, PackageSink sink) throws IOException {
        sink.startKind(PackageKind.EVENTS);
        var query = new TimelineQuery(null, null, null, null, PAGE);
        TimelineCursor after = null;
        while (true) {
            var page = timeline.eventsOf(h, accountId, subjectId, query, after);
            for (var e : page.records()) {
                sink.record(row(
                        "id", e.eventId(),
                        "type", e.type(),
                        "occurredAt", e.occurredAt(),
                        "receivedAt", e.receivedAt(),
                        "sessionId", e.sessionId(),
                        "properties", e.properties(),
                        "context", e.context()));
            }
            if (page.nextCursor() == null) break;
            var lastEvent = page.records().get(page.records().size() - 1);
            after = new TimelineCursor(lastEvent.occurredAt(), lastEvent.eventId());
        }
        sink.endKind();
    }

    private void messages(Handle h, String accountId, String subjectId, PackageSink sink) throws IOException {
        sink.startKind(PackageKind.MESSAGES);
        var query = new TimelineQuery(null, null, null, null, PAGE);
        TimelineCursor after = null;
        while (true) {
            var page = timeline.messagesOf(h, accountId, subjectId, query, after);
            for (var m : page.records()) {
                sink.record(row(
                        "id", m.messageId(),
                        "sentAt", m.sentAt(),
                        "receivedAt", m.receivedAt(),
                        "channel", m.channel(),
                        "product", m.product(),
                        "api", m.api(),
                        "direction", m.direction(),
                        "status", m.status(),
                        "campaignId", m.campaignId(),
                        "content", m.content(),
                        "attachments", m.attachments(),
                        "traffic", m.traffic()));
            }
            if (page.nextCursor() == null) break;
            var lastMessage = page.records().get(page.records().size() - 1);
            after = new TimelineCursor(lastMessage.sentAt(), lastMessage.messageId());
        }
        sink.endKind();
    }

    /** Per category the person has data in: why, on which basis, from where, how long, who receives it. */
    private void categories(Handle h, String accountId, Subject subject, Optional<Policy> policy, PackageSink sink)
            throws IOException {
        sink.startKind(PackageKind.CATEGORIES);
        for (String name : new TreeSet<>(values.categoriesOf(h, accountId, subject.subjectId()))) {
            var category = policy.flatMap(p -> p.category(name)).map(c -> c.forSubject(subject.subjectType()));
            var recipients = new ArrayList<String>();
            policy.ifPresent(p -> {
                for (Processor processor : p.processors()) {
                    if (processor
                            .categories()
                            .getOrDefault(subject.subjectType(), List.of())
                            .contains(name))
                        // one whose effectiveFrom is ahead receives nothing yet: named as upcoming
                        recipients.add(processor.name() + " (" + processor.purpose() + ", " + processor.location()
                                + (processor.activeAt(clock.instant())
                                        ? ""
                                        : "; upcoming, receives data from " + processor.effectiveFrom())
                                + ")");
                }
            });
            sink.record(row(
                    "category", name,
                    "title", category.map(c -> c.title()).orElse(null),
                    "purpose", category.map(c -> c.purpose()).orElse(null),
                    "lawfulBasis", category.map(c -> c.lawfulBasis().wireName()).orElse(null),
                    "source", category.map(c -> c.source().wireName()).orElse(null),
                    "retention",
                            category.map(c -> NoticeWords.retention(c.retention()))
                                    .orElse(null),
                    "recipients", recipients));
        }
        sink.endKind();
    }

    /** Who read, changed or exported the person's data: key ids and the roles (scopes) of those keys. */
    private void accessLog(Handle h, String accountId, String subjectId, PackageSink sink) throws IOException {
        sink.startKind(PackageKind.ACCESS_LOG);
        var roles = new HashMap<String, String>();
        for (var key : accounts.listKeys(h, accountId)) {
            roles.put(
                    key.keyId(),
                    key.scopes().stream().map(Scope::wireName).sorted().collect(Collectors.joining(" ")));
        }
        long after = 0;
        while (true) {
            var page =
                    audit.find(accountId, new AuditQuery(null, null, null, null, "profile:" + subjectId, after, PAGE));
            for (var e : page) {
                sink.record(row(
                        "at", e.at(),
                        "actor", e.actor(),
                        "role", roles.getOrDefault(e.actor(), "operator or system"),
                        "action", e.action()));
            }
            if (page.size() < PAGE) break;
            after = page.get(page.size() - 1).seq();
        }
        sink.endKind();
    }

    private static void single(PackageSink sink, PackageKind kind, Map<String, Object> record) throws IOException {
        sink.startKind(kind);
        sink.record(record);
        sink.endKind();
    }

    /** A record from key, value pairs; null values are left out. */
    private static Map<String, Object> row(Object... pairs) {
        var out = new LinkedHashMap<String, Object>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }
}
