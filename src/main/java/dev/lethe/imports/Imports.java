package dev.lethe.imports;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.consent.ConsentGate;
import dev.lethe.consent.Consents;
import dev.lethe.consent.Standing;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.LetheException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.jobs.Job;
import dev.lethe.jobs.JobError;
import dev.lethe.jobs.JobFailure;
import dev.lethe.jobs.JobFiles;
import dev.lethe.jobs.JobKind;
import dev.lethe.jobs.JobRun;
import dev.lethe.jobs.JobService;
import dev.lethe.jobs.JobState;
import dev.lethe.profiles.Identification;
import dev.lethe.profiles.IdentifyRequest;
import dev.lethe.profiles.Rectification;
import dev.lethe.registry.AfterErasure;
import dev.lethe.registry.Classification;
import dev.lethe.registry.Intake;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyService;
import dev.lethe.storage.Cursors;
import dev.lethe.storage.SqlStates;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.Restrictions;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.transfer.TransferSettings;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports of people from a CSV file (docs/import.md), as governed jobs: the upload is staged
 * sealed, a preview classifies every row (create, update, clear, unchanged, error) against the
 * profiles held, and a commit applies the valid rows in batches, each batch's writes and its
 * checkpoint in one transaction, through the same identify and rectification paths as any ingest.
 */
public final class Imports {

    /** The two ways an empty cell is read. */
    public static final String IGNORE_EMPTY = "ignore-empty";

    public static final String CLEAR_EMPTY = "clear-empty";

    public static final List<String> MODES = List.of(IGNORE_EMPTY, CLEAR_EMPTY);

    /** The file's stream among the job's files. */
    static final String INPUT = "input";

    /**
     * Rows per step (one transaction, one checkpoint). Each commit waits for the disk, and each
     * step's statements (lookups, claims, copies) cost a round trip whatever their size, so steps
     * are large; a step's rows and their outcomes are all that is held in memory. (Public for
     * the bench, whose database floor writes in steps of the same size.)
     */
    public static final int BATCH = 5000;

    /** The longest cell a row may have; a longer one is an error of that row. */
    public static final int MAX_CELL_CHARS = 10_000;

    /** The most rows one page of a preview holds. */
    public static final int MAX_LIMIT = 1000;

    private static final Logger log = LoggerFactory.getLogger(Imports.class);

    private static final List<IdentifierKind> LOOKUP_ORDER =
            List.of(IdentifierKind.EMAIL, IdentifierKind.EXTERNAL_ID, IdentifierKind.PHONE);

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final JobService jobs;
    private final PolicyService policies;
    private final SubjectDirectory subjects;
    private final PersonalValues values;
    private final Consents consents;
    private final Restrictions restrictions;
    private final Identification identification;
    private final Rectification rectification;
    private final AuditLog audit;
    private final Clock clock;
    private final TransferSettings settings;
    private final JdbcImportRows rows = new JdbcImportRows();

    public Imports(
            Jdbi jdbi,
            Transactions transactions,
            JobService jobs,
            PolicyService policies,
            SubjectDirectory subjects,
            PersonalValues values,
            Consents consents,
            Restrictions restrictions,
            Identification identification,
            Rectification rectification,
            AuditLog audit,
            Clock clock,
            TransferSettings settings) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.jobs = jobs;
        this.policies = policies;
        this.subjects = subjects;
        this.values = values;
        this.consents = consents;
        this.restrictions = restrictions;
        this.identification = identification;
        this.rectification = rectification;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
        jobs.register(JobKind.IMPORT, this::run);
        jobs.onEnded(ended -> {
            var job = ended.job();
            if (job.jobKind() == JobKind.IMPORT && job.jobState().isFinal())
                rows.deleteOf(ended.handle(), accountOf(ended), job.id());
        });
    }

    private static String accountOf(JobService.Ended ended) {
        return ended.handle()
                .createQuery("select account_id from jobs where job_id = :j")
                .bind("j", java.util.UUID.fromString(ended.job().id()))
                .mapTo(String.class)
                .one();
    }

    // ---- the API ----

    /** The header row of an import file under the account's policy in force. */
    public String template(Caller admin) {
        AccountService.requireScope(admin, Scope.ADMIN);
        var policy = policies.requireInForce(admin.accountId()).policy();
        return String.join(",", ImportColumns.template(policy)) + "\r\n";
    }

    /** What an upload became: the job, or why it was refused. */
    public sealed interface Upload {
        record Accepted(Job job) implements Upload {}

        record TooLarge(long maxBytes) implements Upload {}
    }

    /**
     * Takes an upload as it arrives: a job is recorded uploading, the body is staged sealed chunk
     * by chunk, then the job moves to its preview. A body over the limit leaves nothing: its chunks
     * and key are destroyed and the job ends failed.
     */
    public Upload upload(Caller admin, String mode, InputStream body) {
        AccountService.requireScope(admin, Scope.ADMIN);
        policies.requireInForce(admin.accountId());
        String jobId = jobs.newId();
        jdbi.useTransaction(h -> {
            jobs.create(
                    h,
                    admin,
                    jobId,
                    new JobService.NewJob(JobKind.IMPORT, JobState.UPLOADING, Map.of("mode", mode), null));
            audit.append(
                    h,
                    AuditEvent.ok(
                            admin.accountId(),
                            admin.actor(),
                            "import.upload",
                            List.of("job:" + jobId),
                            Map.of("mode", mode)));
        });
        long bytes;
        try {
            bytes = jobs.files().stage(admin.accountId(), jobId, INPUT, body, settings.maxUploadBytes());
        } catch (JobFiles.TooLarge e) {
            jobs.uploadFailed(
                    admin.accountId(), jobId, "the upload is larger than " + settings.maxUploadBytes() + " bytes");
            return new Upload.TooLarge(settings.maxUploadBytes());
        } catch (IOException | RuntimeException e) {
            // a body refused midway (a multipart upload's second part, say) says why; the reason
            // names a part or a limit, never a value
            jobs.uploadFailed(
                    admin.accountId(),
                    jobId,
                    e instanceof LetheException refused && !refused.errors().isEmpty()
                            ? refused.errors().getFirst().message()
                            : "the upload could not be read to its end");
            log.info("an import upload was cut short {} {}", kv("job", jobId), kv("error", SqlStates.describe(e)));
            if (e instanceof LetheException refused) throw refused;
            throw new BadRequestException(
                    "The upload could not be read to its end; nothing was kept.",
                    List.of(new FieldError("body", "the body ended before it was complete")));
        }
        if (bytes == 0) {
            jobs.uploadFailed(admin.accountId(), jobId, "the upload was empty");
            throw new InvalidInputException(
                    "The file is empty; nothing was kept.",
                    List.of(new FieldError("body", "send a CSV file: a header row, then one row per person")));
        }
        var job = jdbi.inTransaction(h -> jobs.uploaded(h, admin.accountId(), jobId, JobState.PREVIEWING, -1));
        jobs.start(admin.accountId(), jobId);
        return new Upload.Accepted(job);
    }

    /** A page of an import's preview. */
    public ImportPreviewPage preview(Caller admin, String jobId, int limit, String cursor) {
        AccountService.requireScope(admin, Scope.ADMIN);
        var filters = List.of(admin.accountId(), jobId);
        long from = Cursors.afterNumber(cursor, filters)
                .orElseThrow(() ->
                        new BadRequestException("Invalid cursor.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
        return jdbi.withHandle(h -> {
            var job = jobs.find(h, admin.accountId(), jobId)
                    .filter(j -> j.jobKind() == JobKind.IMPORT)
                    .orElseThrow(() -> new NotFoundException("No such import."));
            var page = rows.page(h, admin.accountId(), job.id(), from, limit);
            String next = page.size() < limit
                    ? null
                    : Cursors.seal(
                            filters, List.of(String.valueOf(page.getLast().row())));
            return new ImportPreviewPage(page, next);
        });
    }

    /** Queues a staged import's commit. */
    public Job commit(Caller admin, String jobId) {
        AccountService.requireScope(admin, Scope.ADMIN);
        var job = jdbi.inTransaction(h -> {
            var found = jobs.find(h, admin.accountId(), jobId)
                    .filter(j -> j.jobKind() == JobKind.IMPORT)
                    .orElseThrow(() -> new NotFoundException("No such import."));
            var params = new LinkedHashMap<String, Object>(found.params());
            params.put("committedBy", admin.keyId());
            var queued = jobs.queue(h, admin.accountId(), jobId, params);
            audit.append(
                    h,
                    AuditEvent.ok(
                            admin.accountId(),
                            admin.actor(),
                            "import.commit.request",
                            List.of("job:" + jobId),
                            Map.of("mode", String.valueOf(found.params().get("mode")))));
            return queued;
        });
        jobs.start(admin.accountId(), jobId);
        return job;
    }

    // ---- the run ----

    /** Counts kept in the checkpoint's position, so a resumed run goes on counting. */
    private static final class Counts {
        long row;
        final long[] n = new long[5];

        static Counts of(JobRun run) {
            var c = new Counts();
            run.position().ifPresent(p -> {
                var parts = p.split(":");
                c.row = Long.parseLong(parts[0]);
                for (int i = 0; i < 5 && i + 1 < parts.length; i++) c.n[i] = Long.parseLong(parts[i + 1]);
            });
            return c;
        }

        Counts copy() {
            var c = new Counts();
            c.row = row;
            System.arraycopy(n, 0, c.n, 0, 5);
            return c;
        }

        String position() {
            return row + ":" + n[0] + ":" + n[1] + ":" + n[2] + ":" + n[3] + ":" + n[4];
        }
    }

    private static final int CREATE = 0, UPDATE = 1, CLEAR = 2, UNCHANGED = 3, ERROR = 4;

    private void run(JobRun run) {
        String accountId = run.accountId();
        boolean commit = run.phase() == JobState.RUNNING;
        String mode = String.valueOf(run.params().getOrDefault("mode", IGNORE_EMPTY));
        boolean clearEmpty = CLEAR_EMPTY.equals(mode);
        var policy = policies.requireInForce(accountId).policy();
        var caller = new Caller(accountId, run.requestedBy(), Set.of(Scope.ADMIN), null);
        var counts = Counts.of(run);
        try (var csv = ImportCsv.open(run.files().open(accountId, run.jobId(), INPUT))) {
            var header = ImportColumns.read(policy, csv.header());
            if (!header.problems().isEmpty()) {
                jdbi.useTransaction(h -> {
                    for (var p : header.problems()) run.error(h, 0, p.column(), p.reason());
                    run.checkpoint(h, 0, null);
                });
                throw new JobFailure("the header has " + header.problems().size()
                        + " problem(s): GET /v1/jobs/{id}/errors lists them (row 0)");
            }
            var batch = new ArrayList<ImportCsv.Row>(BATCH);
            boolean any = counts.row > 0;
            while (true) {
                batch.clear();
                for (var next = csv.next(); next.isPresent(); next = batch.size() < BATCH ? csv.next() : null) {
                    any = true;
                    if (next.get().rowNo() > counts.row) batch.add(next.get());
                    if (batch.size() == BATCH) break;
                }
                if (batch.isEmpty()) break;
                var before = counts;
                counts = transactions.inTransaction(h -> commit
                        ? commitBatch(h, run, caller, policy, header, batch, clearEmpty, before.copy())
                        : previewBatch(h, run, policy, header, batch, clearEmpty, before.copy()));
            }
            if (!any) throw new JobFailure("the file has a header and no rows");
        } catch (ImportCsv.Unreadable e) {
            throw new JobFailure(e.getMessage());
        } catch (JobFiles.Gone e) {
            throw new JobFailure("the uploaded file was deleted (the job expired or was cancelled)");
        } catch (IOException e) {
            throw new JobFailure(
                    "the uploaded file could not be read (" + e.getClass().getSimpleName() + ")");
        }
        var c = counts;
        var result = new LinkedHashMap<String, Object>();
        if (commit) {
            result.put("created", c.n[CREATE]);
            result.put("updated", c.n[UPDATE]);
            result.put("cleared", c.n[CLEAR]);
            result.put("unchanged", c.n[UNCHANGED]);
            result.put("errors", c.n[ERROR]);
        } else {
            result.put("create", c.n[CREATE]);
            result.put("update", c.n[UPDATE]);
            result.put("clear", c.n[CLEAR]);
            result.put("unchanged", c.n[UNCHANGED]);
            result.put("error", c.n[ERROR]);
            result.put("mode", mode);
        }
        var counted = new LinkedHashMap<>(result);
        counted.remove("mode");
        jdbi.useTransaction(h -> audit.append(
                h,
                AuditEvent.ok(
                        accountId,
                        caller.actor(),
                        commit ? "import.commit" : "import.preview",
                        List.of("job:" + run.jobId()),
                        Map.of("mode", mode, "counts", counted))));
        run.finish(
                commit ? JobState.COMPLETED : JobState.STAGED,
                result,
                commit ? null : clock.instant().plus(settings.previewTtl()));
    }

    private Counts previewBatch(
            Handle h,
            JobRun run,
            Policy policy,
            ImportColumns.Header header,
            List<ImportCsv.Row> batch,
            boolean clearEmpty,
            Counts counts) {
        var errors = new ArrayList<JobError>();
        var look = new Lookups(h, run.accountId(), policy, header, batch);
        look.people(h, header);
        var outcomes = new ArrayList<ImportRow>(batch.size());
        for (var row : batch) {
            var checked = check(h, run.accountId(), policy, header, row, clearEmpty, look);
            outcomes.add(checked.outcome());
            counts.n[checked.action()]++;
            for (var e : checked.outcome().errors()) errors.add(new JobError(row.rowNo(), e.column(), e.reason()));
            counts.row = row.rowNo();
        }
        rows.insertAll(h, run.accountId(), run.jobId(), outcomes);
        run.errors(h, errors);
        run.checkpoint(h, counts.row, counts.position());
        return counts;
    }

    private Counts commitBatch(
            Handle h,
            JobRun run,
            Caller caller,
            Policy policy,
            ImportColumns.Header header,
            List<ImportCsv.Row> batch,
            boolean clearEmpty,
            Counts counts) {
        String accountId = run.accountId();
        var previewErrors = rows.errorsBetween(
                h,
                accountId,
                run.jobId(),
                batch.getFirst().rowNo(),
                batch.getLast().rowNo());
        var valid = batch.stream()
                .filter(r -> !previewErrors.containsKey(r.rowNo()))
                .toList();
        var look = new Lookups(h, accountId, policy, header, valid);
        // the people these rows name are locked first, in id order (docs/locks.md)
        var people = new TreeSet<String>();
        for (var row : valid)
            identifiersOf(header, row)
                    .forEach((kind, value) ->
                            look.find(h, kind, look.index(kind, value)).ifPresent(people::add));
        var locked =
                new java.util.HashMap<>(subjects.lockNamed(h, accountId, people).subjects());
        look.people(h, header);
        var errors = new ArrayList<JobError>();
        // new people wait here to be made together; a row naming one of their identifiers again
        // (or any row that is not a new person) makes them first, so rows apply in file order
        var pending = new ArrayList<Checked>();
        var pendingIndexes = new java.util.HashSet<String>();
        for (var row : batch) {
            counts.row = row.rowNo();
            var failed = previewErrors.get(row.rowNo());
            if (failed != null) {
                counts.n[ERROR]++;
                for (var e : failed.errors()) errors.add(new JobError(row.rowNo(), e.column(), e.reason()));
                continue;
            }
            for (var e : identifiersOf(header, row).entrySet()) {
                if (pendingIndexes.contains(e.getKey() + ":" + look.index(e.getKey(), e.getValue()))) {
                    create(h, run, caller, policy, pending, pendingIndexes, look, locked, counts, errors);
                    break;
                }
            }
            // the world may have changed since the preview: every row is checked again
            var checked = check(h, accountId, policy, header, row, clearEmpty, look);
            if (checked.action() == ERROR) {
                counts.n[ERROR]++;
                for (var e : checked.outcome().errors()) errors.add(new JobError(row.rowNo(), e.column(), e.reason()));
                continue;
            }
            if (checked.action() == UNCHANGED) {
                counts.n[UNCHANGED]++;
                continue;
            }
            if (checked.action() == CREATE) {
                pending.add(checked);
                checked.identifiers()
                        .forEach((kind, value) -> pendingIndexes.add(kind + ":" + look.index(kind, value)));
                continue;
            }
            create(h, run, caller, policy, pending, pendingIndexes, look, locked, counts, errors);
            applyOne(h, caller, checked, locked, look, counts, errors);
        }
        create(h, run, caller, policy, pending, pendingIndexes, look, locked, counts, errors);
        run.errors(h, errors);
        run.checkpoint(h, counts.row, counts.position());
        return counts;
    }

    /**
     * Makes the new people waiting, together ({@link Identification#createIn}: one audit entry
     * names them all). If one of them cannot be made, none of the batch's is, and each is then
     * made on its own, so the row at fault is the one reported.
     */
    private void create(
            Handle h,
            JobRun run,
            Caller caller,
            Policy policy,
            List<Checked> pending,
            Set<String> pendingIndexes,
            Lookups look,
            Map<String, dev.lethe.subjects.Subject> locked,
            Counts counts,
            List<JobError> errors) {
        if (pending.isEmpty()) return;
        var requests = new ArrayList<IdentifyRequest>(pending.size());
        for (var c : pending) {
            var identifiers = new LinkedHashMap<IdentifierKind, Sensitive>();
            c.identifiers().forEach((k, v) -> identifiers.put(k, new Sensitive(v)));
            var traits = new LinkedHashMap<String, Sensitive>();
            c.set().forEach((name, v) -> traits.put(name, new Sensitive(v)));
            requests.add(new IdentifyRequest(null, c.subjectType(), identifiers, traits, null));
        }
        h.savepoint("import_create");
        try {
            var ids = identification.createIn(h, caller, policy, requests, Map.of("job", run.jobId()));
            h.release("import_create");
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                pending.get(i).identifiers().forEach((kind, value) -> look.held(kind, look.index(kind, value), id));
            }
            counts.n[CREATE] += ids.size();
        } catch (LetheException e) {
            h.rollbackToSavepoint("import_create");
            for (var c : pending) applyOne(h, caller, c, locked, look, counts, errors);
        }
        pending.clear();
        pendingIndexes.clear();
    }

    /** Applies one checked row; a row the paths refuse is an error of that row, and writes nothing. */
    private void applyOne(
            Handle h,
            Caller caller,
            Checked checked,
            Map<String, dev.lethe.subjects.Subject> locked,
            Lookups look,
            Counts counts,
            List<JobError> errors) {
        long rowNo = checked.outcome().row();
        h.savepoint("import_row");
        try {
            apply(h, caller, checked, locked);
            h.release("import_row");
            counts.n[checked.action()]++;
        } catch (LetheException e) {
            h.rollbackToSavepoint("import_row");
            counts.n[ERROR]++;
            String reason = e.errors().isEmpty()
                    ? e.getMessage()
                    : e.getMessage() + " " + e.errors().getFirst().path() + ": "
                            + e.errors().getFirst().message();
            errors.add(new JobError(rowNo, "", reason.length() > 480 ? reason.substring(0, 480) : reason));
        }
        // what the paths wrote is read again from the database by the rows after this one
        checked.identifiers().forEach((kind, value) -> look.forget(kind, look.index(kind, value)));
        if (checked.existing() != null) look.forgetPerson(checked.existing());
    }

    /**
     * A person found, as the checks see them: their subject type (null: gone), whether their
     * processing is restricted, their consents, and the latest values of {@code fields}.
     */
    private record Person(
            String subjectType,
            boolean restricted,
            Standing standing,
            Map<String, Sensitive> latest,
            Set<String> fields) {}

    /**
     * The identifier lookups of a batch's rows, read together (one query per kind): who holds
     * each blind index, and which are on the suppression list. A lookup not read here (an
     * identifier a write of this batch touched) is read from the database when asked.
     */
    private final class Lookups {
        private final String accountId;
        private final Instant now;
        private final Map<String, String> indexes = new java.util.HashMap<>();
        private final Map<String, Optional<String>> owners = new java.util.HashMap<>();
        private final Map<String, Boolean> suppressed = new java.util.HashMap<>();
        private final Map<String, Person> people = new java.util.HashMap<>();

        Lookups(Handle h, String accountId, Policy policy, ImportColumns.Header header, List<ImportCsv.Row> batch) {
            this.accountId = accountId;
            this.now = clock.instant();
            boolean drop = policy.ingest().afterErasure() == AfterErasure.DROP;
            var byKind = new java.util.EnumMap<IdentifierKind, Set<String>>(IdentifierKind.class);
            for (var row : batch)
                identifiersOf(header, row)
                        .forEach((kind, value) -> byKind.computeIfAbsent(kind, k -> new java.util.HashSet<>())
                                .add(index(kind, value)));
            byKind.forEach((kind, all) -> {
                var held = subjects.store().subjectsOf(h, accountId, kind, all);
                var off = drop ? subjects.suppressions().suppressed(h, accountId, kind, all, now) : Set.<String>of();
                for (String index : all) {
                    owners.put(kind + ":" + index, Optional.ofNullable(held.get(index)));
                    suppressed.put(kind + ":" + index, off.contains(index));
                }
            });
        }

        String index(IdentifierKind kind, String normalised) {
            return indexes.computeIfAbsent(
                    kind + ":" + normalised, k -> subjects.blindIndex(accountId, kind, normalised));
        }

        Optional<String> find(Handle h, IdentifierKind kind, String index) {
            var known = owners.get(kind + ":" + index);
            return known != null ? known : subjects.find(h, accountId, kind, index);
        }

        boolean suppressed(Handle h, IdentifierKind kind, String index) {
            var known = suppressed.get(kind + ":" + index);
            return known != null
                    ? known
                    : !subjects.suppressions()
                            .suppressed(h, accountId, kind, List.of(index), now)
                            .isEmpty();
        }

        /**
         * Reads what the checks need of the people found (subject type, restriction, consents,
         * latest values of the file's fields), for all of them at once; a commit calls it once
         * they are locked.
         */
        void people(Handle h, ImportColumns.Header header) {
            var ids = new TreeSet<String>();
            owners.values().forEach(o -> o.ifPresent(ids::add));
            if (ids.isEmpty()) return;
            var fields = new ArrayList<String>();
            for (var c : header.columns()) if (c instanceof ImportColumns.Trait t) fields.add(t.field());
            var found = subjects.store().typesOf(h, accountId, ids);
            var restricted = restrictions.restrictedAmong(h, accountId, ids);
            var standing = consents.standings(h, accountId, ids);
            var held = fields.isEmpty()
                    ? Map.<String, Map<String, Sensitive>>of()
                    : values.latest(h, accountId, List.copyOf(ids), fields);
            for (String id : ids)
                people.put(
                        id,
                        new Person(
                                found.get(id),
                                restricted.contains(id),
                                standing.getOrDefault(id, Standing.NONE),
                                held.getOrDefault(id, Map.of()),
                                Set.copyOf(fields)));
        }

        /** What the checks need of a person, read together for the batch or on its own. */
        Person person(Handle h, String id, List<String> fields) {
            var known = people.get(id);
            if (known != null && known.fields().containsAll(fields)) return known;
            return new Person(
                    subjects.store()
                            .find(h, accountId, id)
                            .map(Subject::subjectType)
                            .orElse(null),
                    !restrictions.restrictedAmong(h, accountId, List.of(id)).isEmpty(),
                    consents.current(h, accountId, id),
                    fields.isEmpty()
                            ? Map.of()
                            : values.latest(h, accountId, List.of(id), fields).getOrDefault(id, Map.of()),
                    Set.copyOf(fields));
        }

        /** A person a write of this batch touched: read again when asked. */
        void forgetPerson(String id) {
            people.remove(id);
        }

        void held(IdentifierKind kind, String index, String subjectId) {
            owners.put(kind + ":" + index, Optional.of(subjectId));
        }

        void forget(IdentifierKind kind, String index) {
            owners.remove(kind + ":" + index);
            suppressed.remove(kind + ":" + index);
        }
    }

    /** Writes one checked row through the identify and rectification paths. */
    private void apply(Handle h, Caller caller, Checked c, Map<String, dev.lethe.subjects.Subject> locked) {
        String accountId = caller.accountId();
        var identifiers = new LinkedHashMap<IdentifierKind, Sensitive>();
        c.identifiers().forEach((k, v) -> identifiers.put(k, new Sensitive(v)));
        if (c.existing() == null) {
            var traits = new LinkedHashMap<String, Sensitive>();
            c.set().forEach((name, v) -> traits.put(name, new Sensitive(v)));
            identification.identifyIn(h, caller, new IdentifyRequest(null, c.subjectType(), identifiers, traits, null));
            return;
        }
        String id = c.existing();
        if (!locked.containsKey(id))
            locked.putAll(subjects.lockNamed(h, accountId, List.of(id)).subjects());
        if (c.newIdentifiers())
            identification.identifyIn(
                    h, caller, new IdentifyRequest(null, c.subjectType(), identifiers, Map.of(), null));
        if (!c.set().isEmpty()) {
            var traits = new LinkedHashMap<String, Sensitive>();
            c.set().forEach((name, v) -> traits.put(name, new Sensitive(v)));
            rectification.rectify(h, caller, subjects.lockNamed(h, accountId, List.of(id)), id, traits);
        }
        if (!c.cleared().isEmpty()) rectification.clear(h, caller, id, c.cleared());
    }

    // ---- checking a row ----

    /**
     * A row checked: its outcome for the preview, and what the commit writes.
     *
     * @param set traits to set, by trait name (custom fields by key), values as stored
     * @param cleared fields to clear ({@code traits.<name>})
     */
    private record Checked(
            int action,
            ImportRow outcome,
            String subjectType,
            Map<IdentifierKind, String> identifiers,
            String existing,
            boolean newIdentifiers,
            Map<String, String> set,
            List<String> cleared) {}

    private static Map<IdentifierKind, String> identifiersOf(ImportColumns.Header header, ImportCsv.Row row) {
        var out = new LinkedHashMap<IdentifierKind, String>();
        var cols = header.columns();
        for (int i = 0; i < cols.size() && i < row.cells().length; i++) {
            if (cols.get(i) instanceof ImportColumns.Identifier id)
                id.kind().normalise(row.cells()[i]).ifPresent(v -> out.put(id.kind(), v));
        }
        return out;
    }

    private Checked check(
            Handle h,
            String accountId,
            Policy policy,
            ImportColumns.Header header,
            ImportCsv.Row row,
            boolean clearEmpty,
            Lookups look) {
        var errors = new ArrayList<ImportRow.CellError>();
        var cols = header.columns();
        String[] cells = row.cells();
        if (cells.length < cols.size())
            errors.add(new ImportRow.CellError(
                    cols.get(cells.length).name(),
                    "is missing: the row has " + cells.length + " cells, the header " + cols.size()));
        else if (cells.length > cols.size())
            errors.add(
                    new ImportRow.CellError("", "the row has " + cells.length + " cells, the header " + cols.size()));
        var identifiers = new LinkedHashMap<IdentifierKind, String>();
        String subjectType = policy.profileType();
        var given = new LinkedHashMap<String, String>(); // field path -> value
        var columnOf = new LinkedHashMap<String, String>(); // field path -> column name
        var empty = new ArrayList<String>(); // field paths of empty trait cells
        var traitName = new LinkedHashMap<String, String>(); // field path -> trait name
        for (int i = 0; i < cols.size() && i < cells.length; i++) {
            var col = cols.get(i);
            String cell = cells[i];
            if (cell.length() > MAX_CELL_CHARS) {
                errors.add(new ImportRow.CellError(col.name(), "is longer than " + MAX_CELL_CHARS + " characters"));
                continue;
            }
            switch (col) {
                case ImportColumns.Identifier id -> {
                    if (cell.isBlank()) continue;
                    id.kind()
                            .normalise(cell)
                            .ifPresentOrElse(
                                    v -> identifiers.put(id.kind(), v),
                                    () -> errors.add(new ImportRow.CellError(
                                            col.name(), id.kind().problem())));
                    columnOf.put(id.kind().field(), col.name());
                }
                case ImportColumns.SubjectType s -> {
                    if (cell.isBlank()) continue;
                    if (policy.subjects().containsKey(cell.strip())) subjectType = cell.strip();
                    else
                        errors.add(new ImportRow.CellError(
                                col.name(),
                                "is not a subject type of the policy ("
                                        + String.join(", ", policy.subjects().keySet()) + ")"));
                }
                case ImportColumns.Trait t -> {
                    columnOf.put(t.field(), col.name());
                    traitName.put(t.field(), t.trait());
                    if (cell.isBlank()) {
                        empty.add(t.field());
                        continue;
                    }
                    if (t.custom() != null) {
                        String value = cell.strip();
                        if (!t.custom().type().accepts(value)) {
                            errors.add(new ImportRow.CellError(
                                    col.name(),
                                    "must be a " + t.custom().type().wireName() + " (custom field '"
                                            + t.custom().displayName() + "')"));
                            continue;
                        }
                        given.put(t.field(), value);
                    } else given.put(t.field(), cell);
                }
            }
        }
        if (identifiers.isEmpty() && errors.stream().noneMatch(e -> columnOf.containsValue(e.column())))
            errors.add(new ImportRow.CellError("", "give at least one of email, phone, externalId"));
        // classification, as identify sorts values
        var singles = new LinkedHashMap<String, List<String>>();
        identifiers.forEach((k, v) -> singles.put(k.field(), List.of(v)));
        given.forEach((f, v) -> singles.put(f, List.of(v)));
        String type = subjectType;
        Instant now = clock.instant();
        var intake = Intake.sort(singles, f -> Classification.ofIdentifier(policy, f, type), now, now, "");
        for (var refused : intake.refused())
            errors.add(
                    new ImportRow.CellError(columnOf.getOrDefault(refused.path(), refused.path()), refused.message()));
        // who the row is about, found by blind index as identify finds people
        String existing = null;
        boolean newIdentifiers = false;
        if (!identifiers.isEmpty()) {
            boolean drop = policy.ingest().afterErasure() == AfterErasure.DROP;
            var found = new LinkedHashMap<IdentifierKind, String>();
            for (var kind : LOOKUP_ORDER) {
                if (!identifiers.containsKey(kind)) continue;
                String index = look.index(kind, identifiers.get(kind));
                if (drop && look.suppressed(h, kind, index))
                    errors.add(
                            new ImportRow.CellError(
                                    columnOf.get(kind.field()),
                                    "names an erased person (on the suppression list; the policy's ingest.afterErasure is drop)"));
                look.find(h, kind, index).ifPresent(p -> found.put(kind, p));
            }
            if (found.values().stream().distinct().count() > 1)
                errors.add(new ImportRow.CellError("", "its identifiers belong to different profiles"));
            else if (!found.isEmpty()) existing = found.values().iterator().next();
            newIdentifiers = existing != null && found.size() < identifiers.size();
        }
        Standing standing = Standing.NONE;
        var traitFieldsGiven = intake.kept().stream()
                .map(Intake.Kept::field)
                .filter(f -> f.startsWith("traits."))
                .toList();
        Person found = null;
        if (existing != null) {
            found = look.person(h, existing, traitFieldsGiven);
            var person = found.subjectType() == null ? null : found;
            if (person != null
                    && !given.isEmpty()
                    && !person.subjectType().equals(subjectType)
                    && cols.stream().anyMatch(c -> c instanceof ImportColumns.SubjectType)
                    && errors.isEmpty())
                errors.add(new ImportRow.CellError(
                        "subjectType", "the profile found is of subject type '" + person.subjectType() + "'"));
            if (person != null) subjectType = person.subjectType();
            if (found.restricted())
                errors.add(new ImportRow.CellError(
                        "", "this person's processing is restricted (GDPR Art. 18): nothing is imported for them"));
            standing = found.standing();
        }
        // the consent gate: a value held on consent needs this person's grant
        for (var k : intake.kept()) {
            var category = policy.categories().get(k.category());
            if (category == null) continue;
            var verdict = ConsentGate.judge(category.forSubject(subjectType), standing, false);
            if (verdict == ConsentGate.Verdict.KEEP) continue;
            String why = switch (verdict) {
                case MINOR -> "is of category '" + k.category() + "', held on consent, and this person is a minor";
                case NO_CONSENT ->
                    "is of category '" + k.category() + "' (purpose '" + category.purpose()
                            + "'), which needs this person's consent or no objection: it cannot be imported for them";
                default -> "is refused by the consent gate";
            };
            errors.add(new ImportRow.CellError(columnOf.getOrDefault(k.field(), k.field()), why));
        }
        if (!errors.isEmpty()) {
            return new Checked(
                    ERROR,
                    new ImportRow(row.rowNo(), "error", List.of(), errors),
                    subjectType,
                    identifiers,
                    existing,
                    false,
                    Map.of(),
                    List.of());
        }
        var keptFields = intake.kept().stream().map(Intake.Kept::field).toList();
        var set = new LinkedHashMap<String, String>();
        var fields = new ArrayList<String>();
        var cleared = new ArrayList<String>();
        if (existing == null) {
            identifiers.keySet().forEach(k -> fields.add(columnOf.get(k.field())));
            for (var f : keptFields) {
                if (f.startsWith("traits.")) {
                    set.put(traitName.get(f), given.get(f));
                    fields.add(columnOf.get(f));
                }
            }
            return new Checked(
                    CREATE,
                    new ImportRow(row.rowNo(), "create", fields, List.of()),
                    subjectType,
                    identifiers,
                    null,
                    false,
                    set,
                    List.of());
        }
        var traitFields =
                keptFields.stream().filter(f -> f.startsWith("traits.")).toList();
        var latest = found.latest();
        if (newIdentifiers) {
            for (var kind : identifiers.keySet()) {
                String index = look.index(kind, identifiers.get(kind));
                if (look.find(h, kind, index).isEmpty()) fields.add(columnOf.get(kind.field()));
            }
        }
        for (var f : traitFields) {
            var held = latest.get(f);
            if (held == null || !held.value().equals(given.get(f))) {
                set.put(traitName.get(f), given.get(f));
                fields.add(columnOf.get(f));
            }
        }
        if (clearEmpty && !empty.isEmpty()) {
            var held = values.fieldsHeld(h, accountId, existing, empty);
            for (var f : empty) {
                if (held.contains(f)) {
                    cleared.add(f);
                    fields.add(columnOf.get(f));
                }
            }
        }
        int action = !set.isEmpty() || newIdentifiers ? UPDATE : !cleared.isEmpty() ? CLEAR : UNCHANGED;
        String name = action == UPDATE ? "update" : action == CLEAR ? "clear" : "unchanged";
        return new Checked(
                action,
                new ImportRow(row.rowNo(), name, fields, List.of()),
                subjectType,
                identifiers,
                existing,
                newIdentifiers,
                set,
                cleared);
    }
}
