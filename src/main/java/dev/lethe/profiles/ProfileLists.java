package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.ActivityStore;
import dev.lethe.activity.ActivityStore.VisitCounts;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.registry.CustomField;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Cursors;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Identified profiles matching a query, a page at a time. Email, phone, tag and custom field
 * values are matched through blind indexes, goals through the recorded achievements. Engagement
 * changes with time, so it is scored here for the profiles the other filters let through, reading
 * on until the page is full. The list is read, not audited per profile (it shows ids and dates
 * only), unless it shows field values.
 */
public final class ProfileLists {

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
    public record Page(List<String> columns, List<Row> profiles, String nextCursor) {}

    /**
     * A listed profile with what the columns asked for: its visits and engagement (when asked),
     * its custom field values (key → value, decrypted, when asked; the list is then audited).
     */
    public record Row(Subject subject, Integer visits, Engagement engagement, Map<String, FieldValue> fields) {}

    private final Jdbi jdbi;
    private final SubjectDirectory subjects;
    private final ProfileStore store;
    private final PersonalValues values;
    private final ActivityStore activity;
    private final PolicyService policies;
    private final Segments segments;
    private final CriteriaCheck criteria;
    private final AuditLog audit;
    private final Clock clock;

    public ProfileLists(
            Jdbi jdbi,
            SubjectDirectory subjects,
            ProfileStore store,
            PersonalValues values,
            ActivityStore activity,
            PolicyService policies,
            Segments segments,
            CriteriaCheck criteria,
            AuditLog audit,
            Clock clock) {
        this.jdbi = jdbi;
        this.subjects = subjects;
        this.store = store;
        this.values = values;
        this.activity = activity;
        this.policies = policies;
        this.segments = segments;
        this.criteria = criteria;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * What is wrong with a query, every problem with its parameter: identifiers, columns, the
     * segment, the criteria, the cursor. When {@code othersAtFault} (the caller found problems of
     * its own, so the query it was meant to be is unknown) a cursor is checked for its form only.
     */
    public List<FieldError> problems(Caller caller, ProfileQuery q, boolean othersAtFault) {
        AccountService.requireScope(caller, Scope.READ);
        var errors = new ArrayList<FieldError>();
        jdbi.useHandle(h -> prepare(h, caller.accountId(), q, othersAtFault, errors));
        return errors;
    }

    public Page list(Caller caller, ProfileQuery q) {
        AccountService.requireScope(caller, Scope.READ);
        String accountId = caller.accountId();
        return jdbi.inTransaction(h -> {
            var errors = new ArrayList<FieldError>();
            var p = prepare(h, accountId, q, false, errors);
            if (!errors.isEmpty()) throw new BadRequestException("Bad query parameter.", errors);
            var r = p.resolved();
            Set<String> matching = null;
            for (var index : p.lookups().entrySet()) {
                var found = subjects.find(h, accountId, index.getKey(), index.getValue());
                var only = found.map(Set::of).orElse(Set.<String>of());
                var before = matching;
                matching = before == null
                        ? only
                        : only.stream().filter(before::contains).collect(Collectors.toSet());
            }
            Instant now = clock.instant();
            Instant from = r.from();
            if (r.engagement() != null && !r.engagement().equals("none")) {
                Instant since = Engagement.aboveZeroSince(now);
                if (from == null || from.isBefore(since)) from = since;
            }
            var filter = new ProfileFilter(
                    matching, r.tagIndex(), r.goalId(), r.fieldIndexes(), from, r.to(), r.sort(), p.start(), q.limit());
            var page = page(h, accountId, filter, r.engagement(), now, p.fingerprint());
            return new Page(
                    p.columns(),
                    rows(h, caller, page.subjects(), p.columns(), p.fieldColumns(), p.custom(), now),
                    page.next());
        });
    }

    /**
     * A query checked and resolved: identifier lookups (blind indexes by kind), the columns and the
     * custom fields among them, the criteria, where to start, and what a cursor is bound to.
     */
    private record Prepared(
            Map<IdentifierKind, String> lookups,
            List<String> columns,
            List<String> fieldColumns,
            Map<String, CustomField> custom,
            CriteriaCheck.Resolved resolved,
            ProfileCursor start,
            List<String> fingerprint) {}

    /** The query checked and resolved, or null with an error per problem added. */
    private Prepared prepare(
            Handle h, String accountId, ProfileQuery q, boolean othersAtFault, List<FieldError> errors) {
        var lookups = new LinkedHashMap<IdentifierKind, String>();
        if (q.email() != null) lookup(accountId, IdentifierKind.EMAIL, q.email(), "email", lookups, errors);
        if (q.phone() != null) lookup(accountId, IdentifierKind.PHONE, q.phone(), "phone", lookups, errors);
        var columns = q.columns() == null || q.columns().isEmpty() ? BASE_COLUMNS : q.columns();
        var custom =
                policies.inForce(accountId).map(v -> v.policy().customFields()).orElse(Map.of());
        var fieldColumns = fieldColumns(columns, custom, errors);
        var asked = q.criteria();
        if (q.segment() != null) {
            var seg = segments.byName(h, accountId, q.segment());
            if (seg.isEmpty()) errors.add(new FieldError("segment", "no such segment in this account"));
            else {
                // a segment whose goal or field went since it was saved says so, rather than
                // blaming a query parameter the caller did not send
                var broken = new ArrayList<FieldError>();
                segments.problems(h, accountId, seg.get())
                        .forEach(p -> broken.add(new FieldError(
                                "segment",
                                "saved segment '" + seg.get().name() + "' no longer fits the account: " + p.path()
                                        + ": " + p.message() + "; change it (PUT /v1/segments/"
                                        + seg.get().segmentId() + ") or delete it")));
                if (!broken.isEmpty()) {
                    criteria.resolve(h, accountId, q.criteria(), "", errors); // the query's own mistakes too
                    broken.addAll(errors);
                    throw new InvalidInputException("The saved segment no longer fits the account.", broken);
                }
                asked = seg.get().criteria().refinedBy(asked);
            }
        }
        var r = criteria.resolve(h, accountId, asked, "", errors);
        if (othersAtFault || !errors.isEmpty()) {
            // the query the cursor was made for is not this one yet: only its form can be checked
            if (q.cursor() != null && !ProfileCursor.isCursor(q.cursor()))
                errors.add(new FieldError("cursor", Cursors.PROBLEM));
            return null;
        }
        var fingerprint = fingerprint(accountId, lookups, r, asked);
        ProfileCursor start = null;
        if (q.cursor() != null) {
            start = ProfileCursor.decode(q.cursor(), fingerprint).orElse(null);
            if (start == null) {
                errors.add(new FieldError("cursor", Cursors.PROBLEM));
                return null;
            }
        }
        return new Prepared(lookups, columns, fieldColumns, custom, r, start, fingerprint);
    }

    /**
     * What a cursor is bound to: the account and the query as it filters and orders, in
     * non-personal terms (blind indexes, ids, times). A relative last-visit window counts as given,
     * not as the instant it resolves to, which moves with the clock.
     */
    private static List<String> fingerprint(
            String accountId, Map<IdentifierKind, String> lookups, CriteriaCheck.Resolved r, ProfileCriteria asked) {
        var out = new ArrayList<String>(Arrays.asList(
                "profiles",
                accountId,
                lookups.get(IdentifierKind.EMAIL),
                lookups.get(IdentifierKind.PHONE),
                r.tagIndex(),
                r.goalId(),
                r.engagement(),
                asked.lastVisitFrom() == null ? null : asked.lastVisitFrom().toString(),
                asked.lastVisitTo() == null ? null : asked.lastVisitTo().toString(),
                asked.lastVisitWithin() == null ? null : asked.lastVisitWithin().toString(),
                r.sort()));
        new TreeMap<>(r.fieldIndexes()).forEach((key, index) -> out.add(key + "=" + index));
        return out;
    }

    /** An exact email or phone to look up: the blind index of it, normalised as it was stored. */
    private void lookup(
            String accountId,
            IdentifierKind kind,
            String given,
            String param,
            Map<IdentifierKind, String> out,
            List<FieldError> errors) {
        kind.normalise(given)
                .ifPresentOrElse(
                        n -> out.put(kind, subjects.blindIndex(accountId, kind, n)),
                        () -> errors.add(new FieldError(param, kind.problem())));
    }

    /** The custom fields the columns ask for (their keys); an unknown column is an error. */
    private static List<String> fieldColumns(
            List<String> columns, Map<String, CustomField> custom, List<FieldError> errors) {
        var out = new ArrayList<String>();
        for (String c : columns) {
            if (c.startsWith("field.") && custom.containsKey(c.substring("field.".length())))
                out.add(c.substring("field.".length()));
            else if (!COLUMNS.contains(c)) {
                errors.add(new FieldError(
                        "columns",
                        "unknown column '" + c + "' (" + String.join(", ", COLUMNS)
                                + ", or field.<key> of a custom field)"));
            }
        }
        return out;
    }

    /** The page's rows with the columns asked for; showing field values is audited. */
    private List<Row> rows(
            Handle h,
            Caller caller,
            List<Subject> page,
            List<String> columns,
            List<String> fields,
            Map<String, CustomField> custom,
            Instant now) {
        String accountId = caller.accountId();
        var ids = page.stream().map(Subject::subjectId).toList();
        boolean counts = columns.contains("visits") || columns.contains("engagement");
        var visits = counts
                ? activity.visitCounts(h, accountId, ids, Engagement.aboveZeroSince(now))
                : Map.<String, VisitCounts>of();
        var held = fields.isEmpty()
                ? Map.<String, Map<String, Sensitive>>of()
                : values.latest(
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
            var c = visits.getOrDefault(s.subjectId(), new VisitCounts(0, 0));
            var shown = new LinkedHashMap<String, FieldValue>();
            var own = held.getOrDefault(s.subjectId(), Map.of());
            fields.forEach(f -> {
                var v = own.get("traits." + f);
                shown.put(f, v == null ? null : FieldValue.of(v, f, custom));
            });
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
            Handle h, String accountId, ProfileFilter filter, String level, Instant now, List<String> query) {
        int limit = filter.limit();
        int chunk = level == null ? limit : Math.max(limit, 200);
        var out = new ArrayList<Subject>();
        var position = filter.after();
        while (true) {
            var rows = store.list(h, accountId, filter.from(position, chunk));
            var counts = level == null
                    ? Map.<String, VisitCounts>of()
                    : activity.visitCounts(
                            h,
                            accountId,
                            rows.stream().map(l -> l.subject().subjectId()).toList(),
                            Engagement.aboveZeroSince(now));
            for (var row : rows) {
                position = row.position();
                if (level != null) {
                    var c = counts.getOrDefault(row.subject().subjectId(), new VisitCounts(0, 0));
                    var e = Engagement.of(c.recent(), c.all() > 0, row.subject().lastSeenAt(), now);
                    if (!e.level().equals(level)) continue;
                }
                out.add(row.subject());
                if (out.size() == limit) return new Scanned(out, position.encode(query));
            }
            if (rows.size() < chunk) return new Scanned(out, null);
        }
    }
}
