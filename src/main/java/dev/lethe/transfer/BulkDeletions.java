package dev.lethe.transfer;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.erasure.ErasureReceipt;
import dev.lethe.erasure.Erasures;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.jobs.Job;
import dev.lethe.jobs.JobFailure;
import dev.lethe.jobs.JobFiles;
import dev.lethe.jobs.JobKind;
import dev.lethe.jobs.JobRun;
import dev.lethe.jobs.JobService;
import dev.lethe.jobs.JobState;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk deletion (docs/erasure.md): a file of identifiers of any size (no cap on the count) erased
 * as a governed job, each person exactly as an erasure request erases them ({@link Erasures}:
 * legal holds and rules {@code after: erased} keep what they keep, identifiers go on the
 * suppression list), with one receipt for the whole job.
 *
 * <p>The upload is staged sealed under the job's key and read through once before the job is
 * queued, so a file that is not well formed fails before anyone is erased. The run reads it in
 * batches; each batch's erasures, its counts and the job's checkpoint commit in one transaction,
 * so a crash resumes after the last whole batch and never erases or counts anyone twice.
 */
public final class BulkDeletions {

    /** The job's file of identifiers. */
    static final String FILE = "identifiers";

    /** How far into an upload its start is read before the job is made (the CSV header, the JSON opening). */
    private static final int LOOK_AHEAD = 1 << 20;

    /** The checkpoint after the last batch, once the completion is audited. */
    private static final String END = "end";

    private static final Logger log = LoggerFactory.getLogger(BulkDeletions.class);

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final JobService jobs;
    private final Erasures erasures;
    private final SubjectDirectory subjects;
    private final AuditLog audit;
    private final TransferSettings settings;
    private final Clock clock;
    private final JdbcBulkDeletionStore store = new JdbcBulkDeletionStore();

    public BulkDeletions(
            Jdbi jdbi,
            Transactions transactions,
            JobService jobs,
            Erasures erasures,
            SubjectDirectory subjects,
            AuditLog audit,
            TransferSettings settings,
            Clock clock) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.jobs = jobs;
        this.erasures = erasures;
        this.subjects = subjects;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
        jobs.register(JobKind.BULK_DELETION, this::run);
    }

    /** Thrown when an upload is larger than {@link TransferSettings#maxUploadBytes}. */
    public static final class TooLarge extends RuntimeException {
        private final long max;

        TooLarge(long max) {
            super("the file is larger than " + max + " bytes", null, false, false);
            this.max = max;
        }

        public long max() {
            return max;
        }
    }

    /**
     * Takes a file of identifiers ({@link IdentifierFile#CSV} or {@link IdentifierFile#JSON}) as
     * it arrives and queues its bulk deletion. A wrong start (header, JSON shape) is refused with
     * no job made (400); a file larger than allowed is 413; a file found malformed further on is
     * 422. Either way the job made for the upload is discarded (its file, key and row): a refused
     * file leaves nothing behind and erases nobody.
     *
     * @param length the declared length, or -1
     */
    public Job submit(Caller caller, String mediaType, long length, InputStream body) {
        AccountService.requireScope(caller, Scope.ADMIN);
        long max = settings.maxUploadBytes();
        if (length > max) throw new TooLarge(max);
        String accountId = caller.accountId();
        var in = new BufferedInputStream(body, 64 * 1024);
        in.mark(LOOK_AHEAD);
        try {
            // the parsers close what they reach the end of: the upload stays open for the staging
            IdentifierFile.open(mediaType, new java.io.FilterInputStream(in) {
                @Override
                public void close() {}
            });
            in.reset();
        } catch (IdentifierFile.Malformed e) {
            throw new BadRequestException(
                    "The file is not a list of identifiers.", List.of(new FieldError(e.where(), e.getMessage())));
        } catch (IOException e) {
            throw new BadRequestException(
                    "The file is not a list of identifiers.",
                    List.of(new FieldError("body", "its start (the header) could not be read")));
        }
        String jobId = jobs.newId();
        String format = mediaType.equals(IdentifierFile.CSV) ? "csv" : "json";
        transactions.useTransaction(h -> {
            jobs.create(
                    h,
                    caller,
                    jobId,
                    new JobService.NewJob(JobKind.BULK_DELETION, JobState.UPLOADING, Map.of("format", format), null));
            store.insert(h, accountId, jobId);
        });
        try {
            jobs.files().stage(accountId, jobId, FILE, in, max);
        } catch (JobFiles.TooLarge e) {
            jobs.discardUpload(accountId, jobId);
            throw new TooLarge(max);
        } catch (IOException | UncheckedIOException e) {
            jobs.discardUpload(accountId, jobId);
            throw new BadRequestException(
                    "The upload did not finish.", List.of(new FieldError("body", "ended before its end")));
        }
        long total;
        try {
            total = count(accountId, jobId, mediaType);
        } catch (IdentifierFile.Malformed e) {
            jobs.discardUpload(accountId, jobId);
            throw new InvalidInputException(
                    "The file is not a list of identifiers; nothing was kept and nobody was erased.",
                    List.of(new FieldError(e.where(), e.getMessage())));
        }
        var job = transactions.inTransaction(h -> {
            var queued = jobs.uploaded(h, accountId, jobId, JobState.QUEUED, total);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            caller.actor(),
                            "bulk-deletion.start",
                            List.of("job:" + jobId),
                            Map.of("format", format, "identifiers", total)));
            return queued;
        });
        jobs.start(accountId, jobId);
        return job;
    }

    /** Reads the staged file through: how many identifiers, or where it is malformed. */
    private long count(String accountId, String jobId, String mediaType) throws IdentifierFile.Malformed {
        try (var file = IdentifierFile.open(mediaType, jobs.files().open(accountId, jobId, FILE))) {
            long n = 0;
            while (file.next().isPresent()) n++;
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The receipt of a bulk deletion: counts so far until it ends. */
    public BulkDeletionReceipt receipt(Caller caller, String jobId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        var job = jobs.get(caller, jobId);
        if (job.jobKind() != JobKind.BULK_DELETION) throw new NotFoundException("No such bulk deletion.");
        var counts = jdbi.withHandle(h -> store.find(h, caller.accountId(), jobId))
                .orElseThrow(() -> new NotFoundException("No such bulk deletion."));
        return new BulkDeletionReceipt(
                jobId,
                job.state(),
                counts.erased(),
                counts.notFound(),
                counts.alreadyErased(),
                counts.duplicates(),
                counts.tables(),
                counts.held(),
                counts.kept(),
                job.startedAt(),
                job.finishedAt());
    }

    // ---- the run ----

    private void run(JobRun run) {
        String accountId = run.accountId();
        String jobId = run.jobId();
        var caller = new Caller(accountId, run.requestedBy(), Set.of(Scope.ADMIN), null);
        String position = run.position().orElse("0");
        if (!position.equals(END)) {
            long skip = Long.parseLong(position);
            String mediaType = "csv".equals(run.params().get("format")) ? IdentifierFile.CSV : IdentifierFile.JSON;
            try (var file = IdentifierFile.open(mediaType, run.files().open(accountId, jobId, FILE))) {
                long done = 0;
                for (; done < skip && file.next().isPresent(); done++) {}
                int size = settings.bulkDeletionBatch();
                var batch = new ArrayList<IdentifierFile.Row>(size);
                while (true) {
                    var row = file.next();
                    row.ifPresent(batch::add);
                    if (batch.size() == size || (row.isEmpty() && !batch.isEmpty())) {
                        long now = done + batch.size();
                        // a cancel seen at the last batch's checkpoint stops the job before this one
                        run.stopIfAsked();
                        transactions.useTransaction(h -> step(h, run, caller, batch, now));
                        done = now;
                        batch.clear();
                    }
                    if (row.isEmpty()) break;
                }
            } catch (JobFiles.Gone e) {
                throw new JobFailure("the file of identifiers is gone");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IdentifierFile.Malformed e) {
                // read through at upload: only a changed file gets here
                throw new JobFailure("the file of identifiers could not be read again");
            }
            long rows = run.done();
            transactions.useTransaction(h -> {
                var c = store.find(h, accountId, jobId).orElseThrow();
                audit.append(
                        h,
                        AuditEvent.ok(
                                accountId,
                                caller.actor(),
                                "bulk-deletion.complete",
                                List.of("job:" + jobId),
                                summary(c)));
                run.checkpoint(h, rows, END);
            });
        }
        var c = jdbi.withHandle(h -> store.find(h, accountId, jobId)).orElseThrow();
        var result = new LinkedHashMap<String, Object>(summary(c));
        result.put("receipt", "/v1/bulk-deletions/" + jobId + "/receipt");
        log.info("bulk deletion done {} {}", kv("job", jobId), kv("erased", c.erased()));
        run.finish(JobState.COMPLETED, result, null);
    }

    private static Map<String, Object> summary(JdbcBulkDeletionStore.Counts c) {
        var out = new LinkedHashMap<String, Object>();
        out.put("erased", c.erased());
        out.put("notFound", c.notFound());
        out.put("alreadyErased", c.alreadyErased());
        out.put("duplicates", c.duplicates());
        return out;
    }

    private record Error(long row, String column, String reason) {}

    /** A row that names someone: by profile id ({@code kind} null) or by an identifier's blind index. */
    private record Named(IdentifierFile.Row row, IdentifierKind kind, String key) {}

    /**
     * One batch in one transaction: the identifiers resolved as an erasure request resolves its
     * subject, the people found erased in id order (the lock order), the counts and the checkpoint
     * written with them. Each look-up is one query for the whole batch (per identifier kind), so a
     * batch costs a fixed number of round trips whatever its size.
     */
    private void step(Handle h, JobRun run, Caller caller, List<IdentifierFile.Row> batch, long doneNow) {
        String accountId = run.accountId();
        String jobId = run.jobId();
        var now = clock.instant();
        var c = store.find(h, accountId, jobId).orElseThrow();
        long erased = c.erased(), notFound = c.notFound(), already = c.alreadyErased(), duplicates = c.duplicates();
        var errors = new ArrayList<Error>();
        var named = new ArrayList<Named>();
        var byKind = new LinkedHashMap<IdentifierKind, Set<String>>();
        var profileIds = new java.util.LinkedHashSet<String>();
        for (var row : batch) {
            if (row.kind().equals("profileId")) {
                var id = Ids.parse(row.value().value().strip());
                if (id.isEmpty()) {
                    errors.add(new Error(row.number(), row.kind(), "is not a profile id (a UUID)"));
                    notFound++;
                    continue;
                }
                named.add(new Named(row, null, id.get()));
                profileIds.add(id.get());
            } else {
                var kind = IdentifierKind.ofWireName(row.kind()).orElseThrow();
                var normal = kind.normalise(row.value().value());
                if (normal.isEmpty()) {
                    errors.add(new Error(row.number(), row.kind(), kind.problem()));
                    notFound++;
                    continue;
                }
                String index = subjects.blindIndex(accountId, kind, normal.get());
                named.add(new Named(row, kind, index));
                byKind.computeIfAbsent(kind, k -> new java.util.LinkedHashSet<>())
                        .add(index);
            }
        }
        // who the rows name: the people that exist, else the erasure that took them
        var existing = subjects.store().existing(h, accountId, profileIds);
        var ownerByKind = new LinkedHashMap<IdentifierKind, Map<String, String>>();
        byKind.forEach(
                (kind, indexes) -> ownerByKind.put(kind, subjects.store().subjectsOf(h, accountId, kind, indexes)));
        var gone = profileIds.stream().filter(p -> !existing.contains(p)).toList();
        var erasureOfProfile = erasures.erasuresOf(h, accountId, gone);
        var erasureOfIndex = new LinkedHashMap<IdentifierKind, Map<String, String>>();
        byKind.forEach((kind, indexes) -> {
            var owners = ownerByKind.get(kind);
            var unowned = indexes.stream().filter(i -> !owners.containsKey(i)).toList();
            erasureOfIndex.put(kind, subjects.suppressions().erasuresOf(h, accountId, kind, unowned, now));
        });
        var found = new TreeMap<String, Integer>(); // subject → how many rows name them
        var erasedBefore = new ArrayList<String>(); // erasure of each row naming someone erased, in row order
        for (var n : named) {
            Optional<String> subject;
            Optional<String> erasure;
            if (n.kind() == null) {
                subject = existing.contains(n.key()) ? Optional.of(n.key()) : Optional.empty();
                erasure = Optional.ofNullable(erasureOfProfile.get(n.key()));
            } else {
                subject = Optional.ofNullable(ownerByKind.get(n.kind()).get(n.key()));
                erasure = Optional.ofNullable(erasureOfIndex.get(n.kind()).get(n.key()));
            }
            if (subject.isPresent()) {
                found.merge(subject.get(), 1, Integer::sum);
            } else if (erasure.isPresent()) {
                erasedBefore.add(erasure.get());
            } else {
                errors.add(new Error(n.row().number(), n.row().kind(), "no such person"));
                notFound++;
            }
        }
        var toErase = new ArrayList<String>();
        var earlier = erasures.erasuresOf(h, accountId, found.keySet());
        for (var e : found.entrySet()) {
            duplicates += e.getValue() - 1;
            String erasure = earlier.get(e.getKey());
            if (erasure != null) erasedBefore.add(erasure);
            else toErase.add(e.getKey());
        }
        // erased by an earlier batch of this job: a duplicate; by anything else: already erased
        var made = store.made(h, accountId, jobId, erasedBefore);
        for (String erasure : erasedBefore) {
            if (made.contains(erasure)) duplicates++;
            else already++;
        }
        Map<String, Optional<ErasureReceipt>> receipts;
        try {
            // the batch's people erased together: their holds and locks taken at once, one journal
            // flush and one purge for all of them
            receipts = erasures.eraseAllIfNotErased(h, caller, toErase);
        } catch (NotFoundException notThere) {
            // merged away since it was looked up: the batch starts over and finds the survivor
            throw new Transactions.Retry("a person of the batch was merged meanwhile");
        }
        var madeNow = new ArrayList<String>();
        for (var receipt : receipts.values()) {
            if (receipt.isEmpty()) {
                already++;
                continue;
            }
            erased++;
            add(c, receipt.get());
            madeNow.add(receipt.get().erasureId());
        }
        store.erasures(h, accountId, jobId, madeNow);
        store.update(
                h,
                accountId,
                jobId,
                new JdbcBulkDeletionStore.Counts(
                        erased, notFound, already, duplicates, c.tables(), c.held(), c.kept()));
        // last, so that a batch started over never records its errors twice; in row order
        errors.sort(java.util.Comparator.comparingLong(Error::row));
        for (var e : errors) run.error(h, e.row(), e.column(), e.reason());
        run.checkpoint(h, doneNow, String.valueOf(doneNow));
    }

    private static void add(JdbcBulkDeletionStore.Counts c, ErasureReceipt r) {
        for (var t : r.tables()) c.tables().merge(t.table(), (long) t.rows(), Long::sum);
        for (var held : r.held()) {
            var was = c.held().getOrDefault(held.category(), new BulkDeletionReceipt.Held(0, List.of()));
            var holds = new ArrayList<>(was.holds());
            if (!holds.contains(held.holdId())) holds.add(held.holdId());
            c.held().put(held.category(), new BulkDeletionReceipt.Held(was.values() + held.values(), holds));
        }
        for (var kept : r.kept()) {
            var was = c.kept().getOrDefault(kept.category(), new BulkDeletionReceipt.Kept(0, List.of()));
            var rules = new ArrayList<>(was.rules());
            if (!rules.contains(kept.rule())) rules.add(kept.rule());
            c.kept().put(kept.category(), new BulkDeletionReceipt.Kept(was.values() + kept.values(), rules));
        }
    }
}
