package dev.lethe.transfer;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.CryptoFailure;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.LetheException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.jobs.Job;
import dev.lethe.jobs.JobFailure;
import dev.lethe.jobs.JobFiles;
import dev.lethe.jobs.JobKind;
import dev.lethe.jobs.JobRun;
import dev.lethe.jobs.JobService;
import dev.lethe.jobs.JobState;
import dev.lethe.jobs.JobStopped;
import dev.lethe.outbox.Outbox;
import dev.lethe.outbox.OutboxMessage;
import dev.lethe.profiles.ProfileCriteria;
import dev.lethe.profiles.ProfileLists;
import dev.lethe.profiles.Profiles;
import dev.lethe.registry.CustomField;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.requests.CsvPackageSink;
import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Ids;
import dev.lethe.storage.SqlStates;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports (docs/export.md): a governed job that writes the profiles of a segment or filter as a
 * CSV into the job's sealed file, page by page (memory holds one page), and records who is in it.
 * The download link's token is random (256 bits); only its hash is kept in clear, the token itself
 * sealed under the job's key. The link works {@link TransferSettings#linkUses} times within {@link
 * TransferSettings#linkTtl}; then the file is deleted. Erasing anyone in an export withdraws its
 * file in the erasure's transaction ({@link #shredding}), so a file made before an erasure never
 * yields the person after it.
 */
public final class Exports {

    /** The job file the CSV is written to. */
    public static final String STREAM = "export";

    /** The kinds of export. */
    public static final List<String> KINDS = List.of("profiles", "events", "messages");

    /** Profiles (or activity rows) read per step: one transaction, one audit entry, one checkpoint. */
    static final int PAGE = 2000;

    /** How the threads of an export's stages are named (the job id and the stage follow). */
    static final String THREAD_PREFIX = "export-";

    /** Why a file is withdrawn when a person in it is erased. */
    static final String WITHDRAWN_ERASED = "a person in it was erased";

    private static final Logger log = LoggerFactory.getLogger(Exports.class);
    private static final ObjectMapper MAPPER =
            JsonMapper.builder().addModule(new JavaTimeModule()).build();

    private final Jdbi jdbi;
    private final JobService jobs;
    private final Profiles profiles;
    private final PersonalValues values;
    private final PolicyService policies;
    private final SubjectDirectory subjects;
    private final Restrictions restrictions;
    private final dev.lethe.accounts.AccountStore accounts;
    private final Keyring keyring;
    private final Outbox outbox;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;
    private final TransferSettings settings;

    public Exports(
            Jdbi jdbi,
            JobService jobs,
            Profiles profiles,
            PersonalValues values,
            PolicyService policies,
            SubjectDirectory subjects,
            Restrictions restrictions,
            dev.lethe.accounts.AccountStore accounts,
            Keyring keyring,
            Outbox outbox,
            AuditLog audit,
            Clock clock,
            SecureRandom random,
            TransferSettings settings) {
        this.jdbi = jdbi;
        this.jobs = jobs;
        this.profiles = profiles;
        this.values = values;
        this.policies = policies;
        this.subjects = subjects;
        this.restrictions = restrictions;
        this.accounts = accounts;
        this.keyring = keyring;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
        this.settings = settings;
        jobs.register(JobKind.EXPORT, this::run);
    }

    /**
     * What an export asks for.
     *
     * @param kind profiles (default), events or messages
     * @param segment a saved segment's id, or null
     * @param filter criteria (refining the segment's), already read from JSON; personal (sealed)
     * @param columns the columns, in order; null for the default
     * @param from start of the time range (events, messages), or null
     * @param to end of it, exclusive, or null
     * @param notify who is emailed the link when the file is ready; personal (sealed); or null
     */
    public record Request(
            String kind,
            String segment,
            ProfileCriteria filter,
            List<String> columns,
            Instant from,
            Instant to,
            String notifyAddress) {}

    /** What is sealed with the job: the filter, the address to notify and the requester's address. */
    record Personal(Map<String, Object> filter, String notifyAddress, String address) {}

    // ---- asking ----

    /** Checks an export and records its job (202): every problem at its field. */
    public Job create(Caller caller, Request r) {
        AccountService.requireScope(caller, Scope.ADMIN);
        String kind = r.kind() == null ? "profiles" : r.kind();
        var errors = new ArrayList<FieldError>();
        if (!KINDS.contains(kind)) errors.add(new FieldError("kind", "must be one of " + String.join(", ", KINDS)));
        boolean people = !KINDS.contains(kind) || kind.equals("profiles");
        var custom = customFields(caller.accountId());
        var traits = traits(caller.accountId());
        var activityValues = people ? List.<String>of() : activityValues(caller.accountId(), Activity.of(kind));
        List<String> columns = r.columns() != null && !r.columns().isEmpty()
                ? List.copyOf(r.columns())
                : people
                        ? ProfileLists.BASE_COLUMNS
                        : java.util.stream.Stream.concat(Activity.of(kind).columns.stream(), activityValues.stream())
                                .toList();
        var unknown = new ArrayList<String>();
        for (String c : columns) {
            boolean ok = c != null
                    && (people
                            ? known(c, custom, traits)
                            : Activity.of(kind).columns.contains(c) || activityValues.contains(c));
            if (!ok) unknown.add(String.valueOf(c));
        }
        if (!unknown.isEmpty())
            errors.add(new FieldError(
                    "columns",
                    "unknown columns " + String.join(", ", unknown) + " (known: "
                            + (people
                                    ? String.join(", ", ProfileLists.COLUMNS)
                                            + ", field.<key> of a custom field, or identifiers.<kind> / traits.<name> as the policy's fields name them"
                                    : String.join(", ", Activity.of(kind).columns)
                                            + (activityValues.isEmpty()
                                                    ? ""
                                                    : ", " + String.join(", ", activityValues)))
                            + ")"));
        if (columns.size() != columns.stream().distinct().count())
            errors.add(new FieldError("columns", "names a column twice"));
        if (!people && r.segment() != null)
            errors.add(new FieldError("segment", "is for profiles exports; " + kind + " are chosen by from and to"));
        if (!people && r.filter() != null)
            errors.add(new FieldError("filter", "is for profiles exports; " + kind + " are chosen by from and to"));
        if (r.from() != null && r.to() != null && !r.from().isBefore(r.to()))
            errors.add(new FieldError("to", "must be after from"));
        if ((r.from() != null || r.to() != null) && "profiles".equals(kind))
            errors.add(new FieldError("from", "a time range is for events and messages exports"));
        if (r.notifyAddress() != null && !OutboxMessage.isAddress(r.notifyAddress()))
            errors.add(new FieldError("notify", "must be one email address"));
        ProfileCriteria criteria = r.filter() == null ? ProfileCriteria.NONE : r.filter();
        var reader = new Caller(caller.accountId(), caller.keyId(), Set.of(Scope.READ), caller.sourceAddress());
        if (r.segment() != null && !Ids.isId(r.segment())) {
            errors.add(new FieldError("segment", "is a saved segment's id (a UUID)"));
        } else if (r.segment() != null) {
            try {
                var seg = profiles.segments().segment(reader, r.segment());
                criteria = seg.segment().criteria().refinedBy(criteria);
            } catch (NotFoundException e) {
                errors.add(new FieldError("segment", "no such segment in this account"));
            }
        }
        if (errors.isEmpty() && people) {
            var query = new ProfileLists.ProfileQuery(null, null, null, criteria, null, 1, listColumns(columns));
            for (var e : profiles.lists().problems(reader, query, false))
                errors.add(new FieldError(e.path().equals("columns") ? "columns" : "filter." + e.path(), e.message()));
        }
        if (!errors.isEmpty()) throw new InvalidInputException("The export is not valid.", errors);

        var params = new LinkedHashMap<String, Object>();
        params.put("kind", kind);
        params.put("columns", columns);
        if (r.segment() != null) params.put("segment", r.segment());
        params.put("filtered", r.filter() != null && !r.filter().equals(ProfileCriteria.NONE));
        if (r.from() != null) params.put("from", r.from().toString());
        if (r.to() != null) params.put("to", r.to().toString());
        params.put("notify", r.notifyAddress() != null);
        params.put("linkUses", settings.linkUses());
        params.put("linkTtl", settings.linkTtl().toString());
        byte[] personal = encode(new Personal(
                r.filter() == null ? Map.of() : criteriaMap(r.filter()), r.notifyAddress(), caller.sourceAddress()));
        String id = jobs.newId();
        var job = jdbi.inTransaction(h -> {
            var made = jobs.create(
                    h, caller, id, new JobService.NewJob(JobKind.EXPORT, JobState.QUEUED, params, personal));
            h.createUpdate("insert into exports (account_id, job_id, uses_left) values (:a, :j, :uses)")
                    .bind("a", caller.accountId())
                    .bind("j", id)
                    .bind("uses", settings.linkUses())
                    .execute();
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "export.create",
                            List.of("job:" + id),
                            Map.of("kind", kind, "columns", columns.size(), "notify", r.notifyAddress() != null)));
            return made;
        });
        jobs.start(caller.accountId(), id);
        return job;
    }

    private static boolean known(String c, Map<String, CustomField> custom, Set<String> traits) {
        if (ProfileLists.COLUMNS.contains(c)) return true;
        if (c.startsWith("field.")) return custom.containsKey(c.substring("field.".length()));
        return traits.contains(c);
    }

    /** The columns ProfileLists answers (the others are traits, read here). */
    private static List<String> listColumns(List<String> columns) {
        var out = columns.stream().filter(c -> !valueColumn(c)).toList();
        return out.isEmpty() ? List.of("id") : out;
    }

    /**
     * The values an activity export may carry beside its rows: for events, the context and
     * properties fields the policy names (an address, a page) — what the policy permits to keep;
     * for messages, their traffic data (the routing row and the traffic.* values: from, to), never
     * their content.
     */
    private List<String> activityValues(String accountId, Activity activity) {
        var policy = policies.inForce(accountId).map(PolicyVersion::policy);
        if (policy.isEmpty()) return List.of();
        return policy.get().fields().keySet().stream()
                .filter(f -> activity == Activity.EVENTS
                        ? f.startsWith("context.") || f.startsWith("properties.")
                        : f.startsWith("traffic."))
                .sorted()
                .toList();
    }

    /** A column read from the person's values: an identifier or a trait the policy declares. */
    private static boolean valueColumn(String c) {
        return c.startsWith("traits.") || c.startsWith("identifiers.");
    }

    private Map<String, CustomField> customFields(String accountId) {
        return policies.inForce(accountId).map(v -> v.policy().customFields()).orElse(Map.of());
    }

    /** The identifiers and traits the policy's fields name (custom fields are field.<key>). */
    private Set<String> traits(String accountId) {
        var policy = policies.inForce(accountId).map(PolicyVersion::policy);
        if (policy.isEmpty()) return Set.of();
        var out = new java.util.TreeSet<String>();
        for (String f : policy.get().fields().keySet()) if (valueColumn(f)) out.add(f);
        return out;
    }

    // ---- running ----

    private void run(JobRun run) {
        String accountId = run.accountId();
        String jobId = run.jobId();
        var personal = jdbi.withHandle(run::sealedParams)
                .map(Exports::decode)
                .orElseThrow(() -> new JobFailure("the export's parameters are gone"));
        if (run.position().isPresent() || run.done() > 0) {
            // a run cut short (a crash, a stop) starts the file over: a CSV is one whole stream
            run.files().delete(accountId, jobId, STREAM);
            jdbi.useTransaction(h -> h.createUpdate("delete from export_subjects where account_id = :a and job_id = :j")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .execute());
        }
        @SuppressWarnings("unchecked")
        List<String> columns = (List<String>) run.params().get("columns");
        String kind = (String) run.params().getOrDefault("kind", "profiles");
        long rows;
        var counting = new Counting(run.files().create(accountId, jobId, STREAM));
        try (Writer out = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8))) {
            rows = kind.equals("profiles")
                    ? profileRows(run, columns, personal, out)
                    : activityRows(run, Activity.of(kind), columns, personal, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long total = rows;
        long bytes = counting.count;
        Instant expires = clock.instant().plus(settings.linkTtl());
        jdbi.useTransaction(h -> {
            String withdrawn = h.createQuery(
                            "select withdrawn from exports where account_id = :a and job_id = :j for update")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .mapTo(String.class)
                    .findOne()
                    .orElse(null);
            if (withdrawn != null) throw new JobFailure("the file was withdrawn: " + withdrawn);
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            var sealed = keyring.sealForAccount(
                    h, accountId, "job/" + jobId, "link-token", token.getBytes(StandardCharsets.UTF_8));
            h.createUpdate(
                            "update exports set token_hash = :hash, token_sealed = :sealed where account_id = :a and job_id = :j")
                    .bind("hash", hash(token))
                    .bind("sealed", sealed.ciphertext())
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .execute();
            if (personal.notifyAddress() != null) {
                String label = accounts.findKey(h, run.requestedBy())
                        .map(dev.lethe.accounts.ApiKey::label)
                        .filter(l -> l != null && !l.isBlank())
                        .map(l -> " (\"" + l + "\")")
                        .orElse("");
                String text = "The export you asked Lethe for is ready: " + total + " rows.\n\n"
                        + "Asked by: API key " + run.requestedBy() + label + "\n"
                        + "Asked at: " + run.createdAt() + "\n"
                        + "Asked from: " + (personal.address() == null ? "unknown address" : personal.address())
                        + "\n\n"
                        + "Download it (the link works " + settings.linkUses()
                        + (settings.linkUses() == 1 ? " time" : " times") + ", until " + expires + "):\n"
                        + link(jobId, token) + "\n\n"
                        + "If you did not ask for this export, tell your administrator: the file holds personal data.\n";
                outbox.enqueue(
                        h,
                        accountId,
                        Optional.empty(),
                        OutboxMessage.email(
                                personal.notifyAddress(), "Your Lethe export is ready", text, "export-ready"));
            }
            run.checkpoint(h, total, "written");
        });
        var result = new LinkedHashMap<String, Object>();
        result.put("rows", total);
        result.put("bytes", bytes);
        result.put("download", "/v1/exports/" + jobId + "/file");
        result.put("link", "/v1/exports/" + jobId + "/link");
        run.finish(JobState.COMPLETED, result, expires);
    }

    /** An activity export's table: events or messages, read in time order across the account. */
    enum Activity {
        EVENTS(
                "events",
                "event_id",
                "occurred_at",
                List.of("id", "profileId", "session", "type", "occurredAt", "receivedAt"),
                List.of("event_id", "subject_id", "session_id", "type", "occurred_at", "received_at")),
        MESSAGES(
                "messages",
                "message_id",
                "sent_at",
                List.of(
                        "id",
                        "profileId",
                        "channel",
                        "product",
                        "api",
                        "direction",
                        "status",
                        "campaignId",
                        "sentAt",
                        "receivedAt"),
                List.of(
                        "message_id",
                        "subject_id",
                        "channel",
                        "product",
                        "api",
                        "direction",
                        "status",
                        "campaign_id",
                        "sent_at",
                        "received_at"));

        final String table;
        final String id;
        final String time;
        final List<String> columns;
        final List<String> sqlColumns;

        Activity(String table, String id, String time, List<String> columns, List<String> sqlColumns) {
            this.table = table;
            this.id = id;
            this.time = time;
            this.columns = columns;
            this.sqlColumns = sqlColumns;
        }

        static Activity of(String kind) {
            return kind.equals("events") ? EVENTS : MESSAGES;
        }
    }

    /** The start and end used when a time range leaves one open. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    /** An activity row as read: its cells by column, its id, its person. */
    private record ActivityRow(String id, String subjectId, Instant at, Map<String, Object> cells) {}

    /**
     * Writes the events or messages of the time range, oldest first, a page at a time (keyset on
     * time and id); each page's people locked, the erased and the restricted left out, the rest
     * recorded in export_subjects. An event's values (context, properties) come with it as the
     * policy names them; a message's traffic data is its row (never its content).
     */
    private long activityRows(JobRun run, Activity activity, List<String> columns, Personal personal, Writer out)
            throws IOException {
        String accountId = run.accountId();
        String jobId = run.jobId();
        Instant from = run.params().get("from") == null
                ? EARLIEST
                : Instant.parse((String) run.params().get("from"));
        Instant to = run.params().get("to") == null
                ? LATEST
                : Instant.parse((String) run.params().get("to"));
        line(out, new ArrayList<Object>(columns));
        String sql = "select " + String.join(", ", activity.sqlColumns) + " from " + activity.table
                + " where account_id = :a and subject_id is not null and " + activity.time + " >= :from and "
                + activity.time + " < :to and (" + activity.time + " > :at or (" + activity.time + " = :at and "
                + activity.id + " > :id)) order by " + activity.time + ", " + activity.id + " limit " + PAGE;
        Instant at = from.minusNanos(1000);
        String after = "00000000-0000-0000-0000-000000000000";
        long rows = 0;
        while (true) {
            Instant atNow = at;
            String afterNow = after;
            var page = jdbi.withHandle(h -> h.createQuery(sql)
                    .bind("a", accountId)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("at", atNow)
                    .bind("id", afterNow)
                    .map((rs, ctx) -> {
                        var cells = new LinkedHashMap<String, Object>();
                        for (int i = 0; i < activity.columns.size(); i++) {
                            Object v = rs.getObject(i + 1);
                            if (v instanceof java.time.OffsetDateTime t) v = t.toInstant();
                            else if (v instanceof java.sql.Timestamp t) v = t.toInstant();
                            else if (v != null && !(v instanceof String)) v = v.toString();
                            cells.put(activity.columns.get(i), v);
                        }
                        return new ActivityRow(
                                String.valueOf(cells.get("id")),
                                String.valueOf(cells.get("profileId")),
                                rs.getObject(
                                                activity.sqlColumns.indexOf(activity.time) + 1,
                                                java.time.OffsetDateTime.class)
                                        .toInstant(),
                                cells);
                    })
                    .list());
            if (page.isEmpty()) break;
            long before = rows;
            var valueColumns =
                    columns.stream().filter(c -> !activity.columns.contains(c)).toList();
            var kept = jdbi.inTransaction(h -> {
                var people = page.stream()
                        .map(ActivityRow::subjectId)
                        .distinct()
                        .sorted()
                        .toList();
                var locked = subjects.lockNamed(h, accountId, people);
                var restricted = restrictions.restrictedAmong(h, accountId, people);
                var keepPeople = people.stream()
                        .filter(id -> locked.get(id) != null && !locked.isErased(id) && !restricted.contains(id))
                        .toList();
                var keptRows = page.stream()
                        .filter(r -> keepPeople.contains(r.subjectId()))
                        .toList();
                var byRecord = new java.util.HashMap<String, Map<String, Sensitive>>();
                if (!valueColumns.isEmpty() && !keptRows.isEmpty())
                    for (var v : values.ofRecords(
                            h, accountId, keptRows.stream().map(ActivityRow::id).toList()))
                        if (valueColumns.contains(v.field()))
                            byRecord.computeIfAbsent(v.recordId(), k -> new LinkedHashMap<>())
                                    .put(v.field(), v.value());
                if (!keepPeople.isEmpty()) {
                    var already = new java.util.HashSet<>(
                            h.createQuery("select subject_id from export_subjects where account_id = :a and job_id = :j"
                                            + " and subject_id in (<ids>)")
                                    .bind("a", accountId)
                                    .bind("j", jobId)
                                    .bindList("ids", keepPeople)
                                    .mapTo(String.class)
                                    .list());
                    var batch = h.prepareBatch(
                            "insert into export_subjects (account_id, job_id, subject_id) values (:a, :j, :s)");
                    int added = 0;
                    for (String id : keepPeople) {
                        if (already.contains(id)) continue;
                        batch.bind("a", accountId)
                                .bind("j", jobId)
                                .bind("s", id)
                                .add();
                        added++;
                    }
                    if (added > 0) batch.execute();
                    audit.append(
                            h,
                            AuditEvent.ok(
                                    accountId,
                                    new Actor(run.requestedBy(), personal.address()),
                                    "export.run",
                                    keepPeople.stream()
                                            .map(id -> "profile:" + id)
                                            .toList(),
                                    Map.of("job", jobId, "rows", keptRows.size(), "kind", activity.table)));
                }
                run.checkpoint(h, before + keptRows.size(), "rows:" + (before + keptRows.size()));
                return new KeptActivity(keptRows, byRecord);
            });
            for (var r : kept.rows()) {
                var own = kept.values().getOrDefault(r.id(), Map.of());
                var cells = new ArrayList<Object>();
                for (String c : columns)
                    cells.add(r.cells().containsKey(c) ? r.cells().get(c) : own.get(c));
                line(out, cells);
                rows++;
            }
            var last = page.getLast();
            at = last.at();
            after = last.id();
            if (page.size() < PAGE) break;
        }
        return rows;
    }

    private record KeptActivity(List<ActivityRow> rows, Map<String, Map<String, Sensitive>> values) {}

    /** Writes the profiles of the export, page by page; returns how many. */
    private long profileRows(JobRun run, List<String> columns, Personal personal, Writer out) throws IOException {
        String accountId = run.accountId();
        String jobId = run.jobId();
        String segment = (String) run.params().get("segment");
        var reader = new Caller(accountId, run.requestedBy(), Set.of(Scope.READ), personal.address());
        ProfileCriteria criteria = criteria(personal.filter());
        if (segment != null) {
            try {
                criteria = profiles.segments()
                        .segment(reader, segment)
                        .segment()
                        .criteria()
                        .refinedBy(criteria);
            } catch (NotFoundException e) {
                throw new JobFailure("the segment was deleted before the export ran");
            }
        }
        var custom = customFields(accountId);
        var traitColumns = columns.stream().filter(Exports::valueColumn).toList();
        var listColumns = listColumns(columns);
        long rows = 0;
        {
            var header = new ArrayList<Object>();
            for (String c : columns) {
                var field = c.startsWith("field.") ? custom.get(c.substring("field.".length())) : null;
                header.add(field == null ? c : field.displayName());
            }
            line(out, header);
            // Three stages overlap (docs/export.md): the next page is listed while this one is
            // locked and recorded, and the one before is written and sealed meanwhile. Each hand-over
            // holds at most one page, so memory stays a few pages whatever the number of rows.
            var listed = new ArrayBlockingQueue<Step<ProfileLists.Page>>(1);
            var locked = new ArrayBlockingQueue<Step<KeptPage>>(1);
            var criteriaNow = criteria;
            try (var stages = new Stages(run)) {
                stages.start(
                        () -> {
                            String cursor = null;
                            do {
                                ProfileLists.Page page;
                                try {
                                    page = profiles.lists()
                                            .list(
                                                    reader,
                                                    new ProfileLists.ProfileQuery(
                                                            null, null, null, criteriaNow, cursor, PAGE, listColumns));
                                } catch (LetheException e) {
                                    // the filter no longer fits the account (a field or goal deleted since)
                                    throw new JobFailure("the filter no longer fits the account: " + e.getMessage());
                                }
                                cursor = page.nextCursor();
                                stages.put(listed, Step.of(page));
                            } while (cursor != null);
                            stages.put(listed, Step.end());
                        },
                        listed);
                stages.start(
                        () -> {
                            long done = 0;
                            for (var step = stages.next(listed); !step.isEnd(); step = stages.next(listed)) {
                                var kept = lockPage(run, personal, columns.size(), traitColumns, step.item(), done);
                                done += kept.ids().size();
                                stages.put(locked, Step.of(kept));
                            }
                            stages.put(locked, Step.end());
                        },
                        locked);
                var cells = new Object[columns.size()];
                for (var step = stages.take(locked); !step.isEnd(); step = stages.take(locked)) {
                    var kept = step.item();
                    for (var p : kept.page().profiles()) {
                        String id = p.subject().subjectId();
                        if (!kept.ids().contains(id)) continue;
                        var own = kept.traits().getOrDefault(id, Map.of());
                        for (int i = 0; i < cells.length; i++) cells[i] = cell(p, columns.get(i), own);
                        line(out, cells);
                        rows++;
                    }
                }
            }
        }
        return rows;
    }

    /**
     * One page, in one transaction under the people's locks (docs/locks.md): someone erased or
     * restricted meanwhile is left out, the others are recorded in export_subjects (so an erasure
     * after this commit finds them and withdraws the file), their values opened, the page audited
     * and the job's checkpoint moved.
     */
    private KeptPage lockPage(
            JobRun run,
            Personal personal,
            int columnCount,
            List<String> traitColumns,
            ProfileLists.Page page,
            long before) {
        String accountId = run.accountId();
        String jobId = run.jobId();
        var ids = page.profiles().stream().map(p -> p.subject().subjectId()).toList();
        return jdbi.inTransaction(h -> {
            var locked = subjects.lockNamed(h, accountId, ids);
            // restricted meanwhile (the list left out those restricted before it read)
            var restricted = ids.isEmpty() ? Set.<String>of() : restrictions.restrictedAmong(h, accountId, ids);
            var keep = ids.stream()
                    .filter(id -> locked.get(id) != null && !locked.isErased(id) && !restricted.contains(id))
                    .toList();
            var traitValues = traitColumns.isEmpty() || keep.isEmpty()
                    ? Map.<String, Map<String, Sensitive>>of()
                    : values.latest(h, accountId, keep, traitColumns);
            record(h, accountId, jobId, keep);
            if (!keep.isEmpty())
                audit.append(
                        h,
                        AuditEvent.ok(
                                accountId,
                                new Actor(run.requestedBy(), personal.address()),
                                "export.run",
                                keep.stream().map(id -> "profile:" + id).toList(),
                                Map.of("job", jobId, "rows", keep.size(), "columns", columnCount)));
            run.checkpoint(h, before + keep.size(), "rows:" + (before + keep.size()));
            return new KeptPage(page, Set.copyOf(keep), traitValues);
        });
    }

    private record KeptPage(ProfileLists.Page page, Set<String> ids, Map<String, Map<String, Sensitive>> traits) {}

    /** What one stage hands the next: an item, or the end of them. */
    private record Step<T>(T item, boolean isEnd) {
        static <T> Step<T> of(T item) {
            return new Step<>(item, false);
        }

        static <T> Step<T> end() {
            return new Step<>(null, true);
        }
    }

    /** A stage's work: may block on its queues. */
    private interface StageWork {
        void run() throws Exception;
    }

    /**
     * The threads of an export's earlier stages. A stage that fails hands an end to its queue so
     * the next stops waiting; {@link #take} then throws the failure (a {@link JobFailure}, a stop)
     * on the job's own thread.
     *
     * <p>Closing stops the stages cooperatively and never interrupts them: a stage may be inside a
     * database transaction, and on H2 a thread interrupted in the middle of a file write closes the
     * database's file channel, leaving the embedded database unusable for every connection. The
     * stages hand over with timed offers and polls and look at {@link #closed} between them, so a
     * stage finishes the page it is on (its transaction commits or rolls back whole) and then
     * stops. A stage's failure the job's thread never rethrows (it had already left) is logged,
     * with its kind only.
     */
    private static final class Stages implements AutoCloseable {
        /** How long a hand-over waits before looking at {@link #closed} again. */
        private static final long WAIT_MS = 50;
        /** How long closing waits for the stages; they finish their page first. */
        private static final Duration CLOSE_WAIT = Duration.ofMinutes(2);

        private final JobRun run;
        private final List<Thread> threads = new ArrayList<>();
        private final List<BlockingQueue<?>> queues = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean closed;
        private volatile boolean rethrown;

        Stages(JobRun run) {
            this.run = run;
        }

        <T> void start(StageWork work, BlockingQueue<Step<T>> out) {
            int stage = threads.size();
            queues.add(out);
            threads.add(Thread.ofPlatform()
                    .daemon()
                    .name(THREAD_PREFIX + run.jobId() + "-stage-" + stage)
                    .start(() -> {
                        try {
                            work.run();
                        } catch (Closed e) {
                            // the job's thread no longer waits
                        } catch (Throwable e) {
                            if (closed || !failure.compareAndSet(null, e)) {
                                lost(stage, e);
                                return;
                            }
                            out.clear();
                            out.offer(Step.end());
                        }
                    }));
        }

        /** Hands a step to the next stage; gives up (throws {@link Closed}) once the stages are closed. */
        <T> void put(BlockingQueue<Step<T>> out, Step<T> step) throws InterruptedException {
            while (!out.offer(step, WAIT_MS, TimeUnit.MILLISECONDS)) if (closed) throw Closed.INSTANCE;
        }

        /** The next step for a stage; gives up (throws {@link Closed}) once the stages are closed. */
        <T> Step<T> next(BlockingQueue<Step<T>> in) throws InterruptedException {
            while (true) {
                if (closed) throw Closed.INSTANCE;
                var step = in.poll(WAIT_MS, TimeUnit.MILLISECONDS);
                if (step != null) return step;
            }
        }

        /** The next step for the job's thread; the first stage's failure, if any, instead of an end. */
        <T> Step<T> take(BlockingQueue<Step<T>> in) {
            Step<T> step;
            try {
                step = in.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.stopIfAsked(); // the server is stopping: the job resumes after its restart
                throw new IllegalStateException("the export's run was interrupted", e);
            }
            var failed = failure.get();
            if (failed != null) {
                rethrown = true;
                if (failed instanceof RuntimeException r) throw r;
                if (failed instanceof Error r) throw r;
                throw new IllegalStateException("an export stage failed", failed);
            }
            return step;
        }

        /**
         * Stops the stages and waits for them: each finishes the page it is on. Emptying the queues
         * lets a stage waiting to hand over see the close at once. An interrupt of the job's thread
         * meanwhile does not cut the wait short (the stages would outlive the job); it is kept for
         * the caller.
         */
        @Override
        public void close() {
            closed = true;
            boolean interrupted = false;
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            for (var t : threads) {
                while (t.isAlive() && System.nanoTime() < deadline) {
                    for (var q : queues) q.clear();
                    try {
                        t.join(WAIT_MS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (t.isAlive())
                    log.warn(
                            "an export stage did not stop in time {} {}",
                            kv("job", run.jobId()),
                            kv("stage", t.getName()));
            }
            var failed = failure.get();
            if (failed != null && !rethrown) lost(-1, failed);
            if (interrupted) Thread.currentThread().interrupt();
        }

        /** A stage's failure nobody rethrows: logged by kind only (its message may hold values). */
        private void lost(int stage, Throwable e) {
            if (e instanceof JobStopped) return; // a cancel or the server stopping: the job's own run ends too
            log.warn(
                    "an export stage failed after the export had stopped {} {} {}",
                    kv("job", run.jobId()),
                    kv("stage", stage),
                    kv("error", SqlStates.describe(e)));
        }

        /** Thrown in a stage when the stages were closed: it stops quietly. */
        private static final class Closed extends RuntimeException {
            static final Closed INSTANCE = new Closed();

            private Closed() {
                super("the export's stages were closed", null, false, false);
            }
        }
    }

    /**
     * Records who is in the file; the people's rows are locked and were found, so each is a row
     * as it is. On PostgreSQL a page goes in with one binary COPY (no statement per thousand for
     * the server to parse and plan); elsewhere one insert per thousand.
     */
    private static void record(Handle h, String accountId, String jobId, List<String> people) {
        if (people.size() >= BinaryCopy.MIN_ROWS && postgres(h)) {
            var copy = new BinaryCopy("export_subjects", List.of("account_id", "job_id", "subject_id"), people.size());
            // in id order: the rows land next to each other in both indexes
            for (String id : people.stream().sorted().toList())
                copy.row().uuid(accountId).uuid(jobId).uuid(id);
            copy.into(h);
            return;
        }
        for (int from = 0; from < people.size(); from += 1000)
            h.createUpdate("insert into export_subjects (account_id, job_id, subject_id)"
                            + " select account_id, cast(:j as uuid), subject_id from subjects"
                            + " where account_id = :a and subject_id in (<ids>)")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .bindList("ids", Ids.uuids(people.subList(from, Math.min(people.size(), from + 1000))))
                    .execute();
    }

    private static boolean postgres(Handle h) {
        try {
            return h.getConnection().isWrapperFor(PGConnection.class);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Object cell(ProfileLists.Row p, String column, Map<String, Sensitive> traits) {
        var s = p.subject();
        return switch (column) {
            case "id" -> s.subjectId();
            case "subjectType" -> s.subjectType();
            case "firstSeen" -> s.firstSeenAt();
            case "lastSeen" -> s.lastSeenAt();
            case "visits" -> p.visits();
            case "engagement" -> p.engagement() == null ? null : p.engagement().level();
            default -> {
                if (column.startsWith("field.")) {
                    var v = p.fields().get(column.substring("field.".length()));
                    yield v == null ? null : v.typed();
                }
                yield traits.get(column);
            }
        };
    }

    private static void line(Writer out, List<Object> cells) throws IOException {
        line(out, cells.toArray());
    }

    private static void line(Writer out, Object[] cells) throws IOException {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) out.write(',');
            out.write(CsvPackageSink.cell(cells[i]));
        }
        out.write("\r\n");
    }

    /** The link a download uses (relative to the server's address). */
    static String link(String jobId, String token) {
        return "/v1/exports/" + jobId + "/file?token=" + token;
    }

    // ---- downloading ----

    /** A download granted: the file to stream, and whether it was the link's last use. */
    public record Grant(String accountId, String jobId, boolean last) {}

    /**
     * Checks a link and counts its use, in one transaction under the job's lock: two downloads at
     * once of a link with one use left get one file and one 410. 404 for a wrong token or export;
     * 410 when the link was used up, expired, or the file was withdrawn (an erasure).
     */
    public Grant grant(String jobId, String token, String sourceAddress) {
        if (!Ids.isId(jobId) || token == null || token.isEmpty() || token.length() > 200)
            throw new NotFoundException("No such export link.");
        return jdbi.inTransaction(h -> {
            var accountId = h.createQuery("select account_id from exports where job_id = :j")
                    .bind("j", jobId)
                    .mapTo(String.class)
                    .findOne()
                    .orElseThrow(() -> new NotFoundException("No such export link."));
            var job = jobs.lock(h, accountId, jobId);
            var row = h.createQuery("select token_hash, uses_left, withdrawn from exports"
                            + " where account_id = :a and job_id = :j for update")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getInt(2), rs.getString(3)})
                    .one();
            String withdrawn = (String) row[2];
            if (withdrawn != null)
                throw new GoneException("The export's file was withdrawn: " + withdrawn + " after it was made.");
            String stored = (String) row[0];
            if (stored == null) {
                if (job.jobState() == JobState.COMPLETED) throw new GoneException("The export's link was used up.");
                if (job.jobState().isFinal())
                    throw new GoneException("The export " + job.state() + ": there is no file.");
                throw new ConflictException("The export is " + job.state() + ": its file is not ready yet.");
            }
            if (!MessageDigest.isEqual(
                    stored.getBytes(StandardCharsets.US_ASCII), hash(token).getBytes(StandardCharsets.US_ASCII)))
                throw new NotFoundException("No such export link.");
            int uses = (Integer) row[1];
            if (uses <= 0) throw new GoneException("The export's link was used up.");
            if (job.expiresAt() == null || !job.expiresAt().isAfter(clock.instant()))
                throw new GoneException("The export's link expired.");
            int left = uses - 1;
            h.createUpdate("update exports set uses_left = :left"
                            + (left == 0 ? ", token_hash = null, token_sealed = null" : "")
                            + " where account_id = :a and job_id = :j")
                    .bind("left", left)
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .execute();
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            new Actor("export-link", sourceAddress),
                            "export.download",
                            List.of("job:" + jobId),
                            Map.of("usesLeft", left, "rows", job.result().getOrDefault("rows", 0))));
            return new Grant(accountId, jobId, left == 0);
        });
    }

    /** The granted file, read a chunk at a time; {@link JobFiles.Gone} if it went meanwhile. */
    public InputStream open(Grant grant) {
        return jobs.files().open(grant.accountId(), grant.jobId(), STREAM);
    }

    /** After a download: the link's last use deletes the file and its key. */
    public void downloaded(Grant grant) {
        if (!grant.last()) return;
        jdbi.useTransaction(h -> {
            jobs.lock(h, grant.accountId(), grant.jobId());
            jobs.destroyFiles(h, grant.accountId(), grant.jobId());
        });
    }

    /** The export's link with its token (admin; audited), for a requester who gave no address. */
    public Map<String, Object> link(Caller admin, String jobId) {
        AccountService.requireScope(admin, Scope.ADMIN);
        if (!Ids.isId(jobId)) throw new NotFoundException("No such export.");
        String accountId = admin.accountId();
        return jdbi.inTransaction(h -> {
            var job = jobs.find(h, accountId, jobId)
                    .filter(j -> j.jobKind() == JobKind.EXPORT)
                    .orElseThrow(() -> new NotFoundException("No such export."));
            var row = h.createQuery(
                            "select token_sealed, uses_left, withdrawn from exports where account_id = :a and job_id = :j")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .map((rs, ctx) -> new Object[] {rs.getBytes(1), rs.getInt(2), rs.getString(3)})
                    .one();
            if (row[2] != null)
                throw new GoneException("The export's file was withdrawn: " + row[2] + " after it was made.");
            if (row[0] == null) {
                if (job.jobState() == JobState.COMPLETED) throw new GoneException("The export's link was used up.");
                if (job.jobState().isFinal())
                    throw new GoneException("The export " + job.state() + ": there is no file.");
                throw new ConflictException("The export is " + job.state() + ": its file is not ready yet.");
            }
            if (job.expiresAt() == null || !job.expiresAt().isAfter(clock.instant()))
                throw new GoneException("The export's link expired.");
            String token;
            try {
                token = new String(
                        keyring.openForAccount(
                                h,
                                accountId,
                                keyring.accountKeyId(accountId, "job/" + jobId),
                                "job/" + jobId,
                                "link-token",
                                (byte[]) row[0]),
                        StandardCharsets.UTF_8);
            } catch (CryptoFailure e) {
                throw new GoneException("The export's file is no longer available.");
            }
            audit.append(h, AuditEvent.ok(accountId, admin.actor(), "export.link", List.of("job:" + jobId), Map.of()));
            var out = new LinkedHashMap<String, Object>();
            out.put("download", link(jobId, token));
            out.put("usesLeft", row[1]);
            out.put("expiresAt", job.expiresAt());
            return out;
        });
    }

    // ---- erasure ----

    /**
     * In an erasure's transaction, under the person's lock: every export whose file holds the
     * person is withdrawn — its chunks and key destroyed, its link dead (410 saying why). For a
     * batch of people (a bulk deletion's) the exports holding any of them are found in one query
     * and withdrawn once each, in job id order.
     */
    public void shredding(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return;
        var jobIds = h.createQuery("select distinct job_id from export_subjects"
                        + " where account_id = :a and subject_id in (<s>) order by job_id")
                .bind("a", accountId)
                .bindList("s", dev.lethe.storage.Ids.uuids(subjectIds))
                .mapTo(String.class)
                .list();
        for (String jobId : jobIds) {
            jobs.lock(h, accountId, jobId);
            h.createUpdate("update exports set withdrawn = :why, token_hash = null, token_sealed = null"
                            + " where account_id = :a and job_id = :j")
                    .bind("why", WITHDRAWN_ERASED)
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .execute();
            jobs.destroyFiles(h, accountId, jobId);
            h.createUpdate("delete from export_subjects where account_id = :a and job_id = :j")
                    .bind("a", accountId)
                    .bind("j", jobId)
                    .execute();
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            Actor.SYSTEM,
                            "export.withdraw",
                            List.of("job:" + jobId),
                            Map.of("reason", "erasure")));
        }
    }

    // ---- encoding ----

    static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(Personal p) {
        try {
            return MAPPER.writeValueAsBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Personal decode(byte[] bytes) {
        try {
            return MAPPER.readValue(bytes, Personal.class);
        } catch (IOException e) {
            throw new JobFailure("the export's parameters cannot be read");
        }
    }

    private static Map<String, Object> criteriaMap(ProfileCriteria c) {
        return c.asMap();
    }

    @SuppressWarnings("unchecked")
    private static ProfileCriteria criteria(Map<String, Object> m) {
        if (m == null || m.isEmpty()) return ProfileCriteria.NONE;
        return new ProfileCriteria(
                (String) m.get("tag"),
                (String) m.get("goal"),
                (String) m.get("engagement"),
                (Map<String, String>) m.getOrDefault("fields", Map.of()),
                m.get("lastVisitFrom") == null ? null : Instant.parse((String) m.get("lastVisitFrom")),
                m.get("lastVisitTo") == null ? null : Instant.parse((String) m.get("lastVisitTo")),
                m.get("lastVisitWithin") == null ? null : Period.parse((String) m.get("lastVisitWithin")),
                (String) m.get("sort"));
    }

    /** Counts the bytes written (the result's size). */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
