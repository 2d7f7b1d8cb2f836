package dev.lethe.activity;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.registry.Intake;
import dev.lethe.storage.Cursors;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import dev.lethe.values.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A person's timeline: their events and their messages, newest first, a page at a time, with
 * their values decrypted. The events and messages of a profile include those of the visitors that
 * joined it and of the profiles merged into it, since joins and merges move them to the profile.
 * Each read through the API is audited (which profile, how many records; never a value); the
 * readers on a handle ({@link #eventsOf}, {@link #messagesOf}) serve whoever already checked
 * access, such as an access request's package.
 */
public final class Timeline {

    static final String EVENTS = "events";
    static final String MESSAGES = "messages";

    private final Jdbi jdbi;
    private final SubjectStore subjects;
    private final Keyring keyring;
    private final ActivityStore activity;
    private final MessageStore messages;
    private final PersonalValues values;
    private final AuditLog audit;

    public Timeline(
            Jdbi jdbi,
            SubjectStore subjects,
            Keyring keyring,
            ActivityStore activity,
            MessageStore messages,
            PersonalValues values,
            AuditLog audit) {
        this.jdbi = jdbi;
        this.subjects = subjects;
        this.keyring = keyring;
        this.activity = activity;
        this.messages = messages;
        this.values = values;
        this.audit = audit;
    }

    /** A page of the profile's events (read scope); the read is audited. */
    public TimelinePage<TimelineEvent> events(Caller caller, String profileId, TimelineQuery query) {
        AccountService.requireScope(caller, Scope.READ);
        var errors = eventProblems(query);
        if (!errors.isEmpty()) throw new BadRequestException("Bad query parameter.", errors);
        var after = opened(EVENTS, caller.accountId(), profileId, query);
        return read(
                caller,
                profileId,
                "profile.events.read",
                h -> eventsOf(h, caller.accountId(), profileId, query, after));
    }

    /** A page of the profile's messages (read scope); the read is audited. */
    public TimelinePage<TimelineMessage> messages(Caller caller, String profileId, TimelineQuery query) {
        AccountService.requireScope(caller, Scope.READ);
        var errors = messageProblems(query);
        if (!errors.isEmpty()) throw new BadRequestException("Bad query parameter.", errors);
        var after = opened(MESSAGES, caller.accountId(), profileId, query);
        return read(
                caller,
                profileId,
                "profile.messages.read",
                h -> messagesOf(h, caller.accountId(), profileId, query, after));
    }

    /**
     * A page of a subject's events with their values opened: {@code query}'s bounds and type,
     * after {@code after} (null: from the newest). Values whose key was destroyed are left out.
     */
    public TimelinePage<TimelineEvent> eventsOf(
            Handle h, String accountId, String subjectId, TimelineQuery query, TimelineCursor after) {
        var rows = activity.eventsPage(
                h, accountId, subjectId, query.from(), query.to(), query.type(), after, query.limit() + 1);
        var page = rows.subList(0, Math.min(rows.size(), query.limit()));
        var opened = valuesOf(h, accountId, page.stream().map(Event::eventId).toList());
        var out = new ArrayList<TimelineEvent>(page.size());
        for (var e : page) {
            var properties = new LinkedHashMap<String, Sensitive>();
            var context = new LinkedHashMap<String, Sensitive>();
            for (var v : opened.getOrDefault(e.eventId(), List.of())) {
                if (v.field().startsWith("properties.")) properties.put(after(v.field()), v.value());
                else if (v.field().startsWith("context.")) context.put(after(v.field()), v.value());
            }
            out.add(new TimelineEvent(
                    e.eventId(), e.type(), e.occurredAt(), e.receivedAt(), e.sessionId(), properties, context));
        }
        return new TimelinePage<>(
                out,
                next(
                        rows,
                        query.limit(),
                        e -> new TimelineCursor(e.occurredAt(), e.eventId()),
                        TimelineCursor.boundTo(EVENTS, accountId, subjectId, query)));
    }

    /**
     * A page of a subject's messages with their content, attachments and traffic data opened:
     * {@code query}'s bounds, after {@code after} (null: from the newest). Values whose key was
     * destroyed are left out.
     */
    public TimelinePage<TimelineMessage> messagesOf(
            Handle h, String accountId, String subjectId, TimelineQuery query, TimelineCursor after) {
        var rows = messages.page(h, accountId, subjectId, query.from(), query.to(), after, query.limit() + 1);
        var page = rows.subList(0, Math.min(rows.size(), query.limit()));
        var opened =
                valuesOf(h, accountId, page.stream().map(Message::messageId).toList());
        var out = new ArrayList<TimelineMessage>(page.size());
        for (var m : page) {
            Sensitive content = null;
            var attachments = new ArrayList<Sensitive>();
            var traffic = new LinkedHashMap<String, Sensitive>();
            for (var v : opened.getOrDefault(m.messageId(), List.of())) {
                if (v.field().equals("message.content")) content = v.value();
                else if (v.field().equals("message.attachments")) attachments.add(v.value());
                else if (v.field().startsWith("traffic.")) traffic.put(after(v.field()), v.value());
            }
            out.add(new TimelineMessage(
                    m.messageId(),
                    m.sentAt(),
                    m.receivedAt(),
                    m.sendAt(),
                    m.channel(),
                    m.product(),
                    m.api(),
                    m.direction(),
                    m.status(),
                    m.campaignId(),
                    content,
                    attachments,
                    traffic));
        }
        return new TimelinePage<>(
                out,
                next(
                        rows,
                        query.limit(),
                        m -> new TimelineCursor(m.sentAt(), m.messageId()),
                        TimelineCursor.boundTo(MESSAGES, accountId, subjectId, query)));
    }

    /** The read in one transaction with its audit entry (fail closed): the profile must exist and be readable. */
    private <T> TimelinePage<T> read(
            Caller caller, String profileId, String action, Function<Handle, TimelinePage<T>> reader) {
        String accountId = caller.accountId();
        return jdbi.inTransaction(h -> {
            subjects.find(h, accountId, profileId)
                    .filter(Subject::identified)
                    .orElseThrow(() -> new NotFoundException("No such profile."));
            if (!keyring.destroyed(h, accountId, List.of(profileId)).isEmpty()) {
                throw new GoneException("This profile's data was erased (its key was destroyed).");
            }
            var page = reader.apply(h);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            action,
                            List.of("profile:" + profileId),
                            Map.of("records", page.records().size())));
            return page;
        });
    }

    private Map<String, List<StoredValue>> valuesOf(Handle h, String accountId, List<String> recordIds) {
        var out = new HashMap<String, List<StoredValue>>();
        if (recordIds.isEmpty()) return out;
        for (var v : values.ofRecords(h, accountId, recordIds)) { // oldest first, in the order they arrived
            out.computeIfAbsent(v.recordId(), r -> new ArrayList<>()).add(v);
        }
        return out;
    }

    /** The cursor after the page's last record when more records follow, else null. */
    private static <R> String next(
            List<R> rows, int limit, Function<R, TimelineCursor> cursorOf, List<String> boundTo) {
        return rows.size() > limit ? cursorOf.apply(rows.get(limit - 1)).seal(boundTo) : null;
    }

    /** What is wrong with an events query (its type, its cursor), each with its parameter; empty when nothing. */
    public static List<FieldError> eventProblems(TimelineQuery query) {
        var errors = new ArrayList<FieldError>();
        if (query.type() != null && !Intake.isEventType(query.type())) {
            errors.add(new FieldError("type", Intake.EVENT_TYPE_EXPECTED));
        }
        cursorShape(query.cursor(), errors);
        return errors;
    }

    /** What is wrong with a messages query (its cursor; messages have no type); empty when nothing. */
    public static List<FieldError> messageProblems(TimelineQuery query) {
        var errors = new ArrayList<FieldError>();
        if (query.type() != null) errors.add(new FieldError("type", "messages have no type; filter by from and to"));
        cursorShape(query.cursor(), errors);
        return errors;
    }

    /** A cursor's form, checked with the other parameters (the person it is bound to comes later). */
    private static void cursorShape(String text, List<FieldError> errors) {
        if (text != null && !text.isBlank() && !TimelineCursor.wellFormed(text.strip()))
            errors.add(new FieldError("cursor", Cursors.PROBLEM));
    }

    /** Where to start: after the cursor, which must belong to this list of this person; null without one. */
    private static TimelineCursor opened(String list, String accountId, String profileId, TimelineQuery query) {
        String text = query.cursor();
        if (text == null || text.isBlank()) return null;
        return TimelineCursor.open(text.strip(), TimelineCursor.boundTo(list, accountId, profileId, query))
                .orElseThrow(() -> new BadRequestException(
                        "Bad query parameter.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
    }

    private static String after(String field) {
        return field.substring(field.indexOf('.') + 1);
    }
}
