package dev.lethe.jobs;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Cursors;
import dev.lethe.storage.Ids;
import dev.lethe.storage.SqlStates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Governed jobs (docs/jobs.md): imports, exports and bulk deletions recorded in the {@code jobs}
 * table and run by the scheduler's one-time task {@link #TASK}, one run per job at a time across
 * every server. A run records its progress with each step ({@link JobRun#checkpoint}); a server
 * that dies mid-run leaves the job {@code running}, and the scheduler runs it again elsewhere (or
 * here after a restart) once the dead server's heartbeats have stopped long enough, from its last
 * checkpoint. Each kind's work is registered with {@link #register} before the scheduler starts.
 */
public final class JobService {

    /** The scheduler's one-time task that runs a job; its instance id is {@code account/job}. */
    public static final String TASK = "transfer-job";

    /** The recurring task that gives a run to any job that should have one and lacks it. */
    public static final String RESUME_TASK = "transfer-jobs-resume";

    /** How long after a thread comes free the jobs turned away meanwhile are asked for again. */
    private static final Duration TURNED_AWAY_RETRY = Duration.ofMillis(250);

    /** The recurring task that deletes jobs' files past their time and expires old previews. */
    public static final String EXPIRY_TASK = "transfer-jobs-expiry";

    /** The most jobs one page of the list holds. */
    public static final int MAX_LIMIT = 500;

    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    private final Jdbi jdbi;
    private final JdbcJobStore store = new JdbcJobStore();
    private final JobFiles files;
    private final Keyring keyring;
    private final java.util.concurrent.Semaphore running;
    /** Whether a run found no thread free since the last run ended (it then asks again). */
    private final java.util.concurrent.atomic.AtomicBoolean turnedAway =
            new java.util.concurrent.atomic.AtomicBoolean();

    private final Jobs scheduler;
    private final AuditLog audit;
    private final Ids ids;
    private final Clock clock;
    private final Duration previewTtl;
    private final Map<JobKind, JobWork> works = new EnumMap<>(JobKind.class);
    private final List<Consumer<Ended>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    /**
     * A job that reached a final state (or became staged), told to listeners in the transaction
     * that records it: a webhook, an email.
     */
    public record Ended(Handle handle, String accountId, Job job) {}

    public JobService(
            Jdbi jdbi, Jobs scheduler, Keyring keyring, AuditLog audit, Ids ids, Clock clock, Duration previewTtl) {
        this.jdbi = jdbi;
        this.previewTtl = previewTtl;
        this.scheduler = scheduler;
        this.files = new JobFiles(jdbi, store, keyring);
        this.keyring = keyring;
        // governed jobs leave one of the scheduler's threads to the recurring tasks (outbox,
        // erasure purge, sweeps): a job that finds none free is asked for again when a run here
        // ends, and by the resume task's next look (another server may have a thread free)
        this.running = new java.util.concurrent.Semaphore(Math.max(1, scheduler.threads() - 1));
        this.audit = audit;
        this.ids = ids;
        this.clock = clock;
        scheduler.oneTime(TASK, this::execute);
        scheduler.recurring(RESUME_TASK, Duration.ofMinutes(1), this::resumeAll);
        scheduler.recurring(EXPIRY_TASK, Duration.ofMinutes(1), this::expireDue);
    }

    /** Registers what a kind of job does; before the scheduler starts. */
    public synchronized void register(JobKind kind, JobWork work) {
        if (works.putIfAbsent(kind, Objects.requireNonNull(work)) != null)
            throw new IllegalStateException("work for " + kind + " is registered already");
    }

    /** Puts this work in place of a kind's registered one (tests that exercise runs themselves). */
    synchronized void replace(JobKind kind, JobWork work) {
        works.put(kind, Objects.requireNonNull(work));
    }

    /** Called in the transaction that records a job's end (completed, failed, cancelled, staged). */
    public void onEnded(Consumer<Ended> listener) {
        listeners.add(listener);
    }

    public JobFiles files() {
        return files;
    }

    JdbcJobStore store() {
        return store;
    }

    boolean stopping() {
        return stopping;
    }

    /**
     * What a new job is.
     *
     * @param kind what it does
     * @param initial {@link JobState#UPLOADING} (its input is staged next, then {@link #uploaded}),
     *     {@link JobState#PREVIEWING} (a preview runs first) or {@link JobState#QUEUED}
     * @param params what was asked, without personal values
     * @param personal what was asked that is personal (sealed under the job's key), or null
     */
    public record NewJob(JobKind kind, JobState initial, Map<String, Object> params, byte[] personal) {
        public NewJob {
            Objects.requireNonNull(kind, "kind");
            if (initial != JobState.UPLOADING && initial != JobState.PREVIEWING && initial != JobState.QUEUED)
                throw new IllegalArgumentException("a job starts uploading, previewing or queued, not " + initial);
            params = Map.copyOf(params);
        }
    }

    /**
     * Records a new job in the caller's transaction; call {@link #start} after it commits. The
     * caller audits what the job is about.
     */
    public Job create(Handle h, Caller caller, String jobId, NewJob job) {
        Instant now = clock.instant();
        // the job's key exists from the start: its files and sealed parameters are sealed under it
        // while it lives, and nothing makes it again once it is destroyed
        keyring.createAccountKey(h, caller.accountId(), JobFiles.purpose(jobId));
        // an upload that never finishes (the server died under it) expires like an unused preview
        Instant expires = job.initial() == JobState.UPLOADING ? now.plus(previewTtl) : null;
        byte[] sealed = job.personal() == null ? null : files.seal(h, caller.accountId(), jobId, job.personal());
        var row = new JdbcJobStore.Row(
                caller.accountId(),
                jobId,
                job.kind(),
                job.initial(),
                caller.keyId(),
                job.params(),
                sealed,
                null,
                0,
                0,
                null,
                null,
                null,
                false,
                true,
                0,
                now,
                null,
                null,
                expires);
        store.insert(h, row);
        return row.view();
    }

    /** A new job id (time-ordered, like every id). */
    public String newId() {
        return ids.next();
    }

    /**
     * Asks for a run of the job now (it was created, or its commit queued it). If this fails (the
     * database went away after the job was recorded), the resume task gives it a run within a minute.
     */
    public void start(String accountId, String jobId) {
        try {
            scheduler.runNow(TASK, accountId + "/" + jobId);
        } catch (RuntimeException e) {
            log.warn(
                    "a job's run could not be asked for now; the resume task asks again {} {}",
                    kv("job", jobId),
                    kv("error", SqlStates.describe(e)));
        }
    }

    /**
     * Records that an uploading job's input has all arrived, in the caller's transaction, and moves
     * it to {@code next} ({@link JobState#PREVIEWING} or {@link JobState#QUEUED}); call {@link
     * #start} after the commit. {@link ConflictException} unless it is uploading.
     */
    public Job uploaded(Handle h, String accountId, String jobId, JobState next, long total) {
        if (next != JobState.PREVIEWING && next != JobState.QUEUED)
            throw new IllegalArgumentException("an upload is followed by a preview or a run, not " + next);
        var row = store.lock(h, accountId, jobId).orElseThrow(() -> new NotFoundException("No such job."));
        if (row.state() != JobState.UPLOADING)
            throw new ConflictException("The job is " + row.state().wireName() + ", not uploading.");
        store.state(h, accountId, jobId, next, null, null);
        store.expiresAt(h, accountId, jobId, null);
        if (total >= 0) store.total(h, accountId, jobId, total);
        return store.find(h, accountId, jobId).orElseThrow().view();
    }

    /**
     * Ends an uploading job whose input could not be taken (too large, unreadable, the client
     * went away): failed with this reason (no value in it), its files deleted.
     */
    public void uploadFailed(String accountId, String jobId, String reason) {
        jdbi.useTransaction(h -> {
            var row = store.lock(h, accountId, jobId).orElse(null);
            if (row == null || row.state() != JobState.UPLOADING) return;
            store.finish(h, accountId, jobId, JobState.FAILED, null, reason, clock.instant(), null);
            files.destroy(h, accountId, jobId);
        });
    }

    /**
     * Forgets an uploading job whose input was refused (malformed past its start, too large, cut
     * short): its files and key are destroyed and its row deleted, as if it had never been asked
     * for (bad input changes nothing). Rows of other tables that reference the job with {@code on
     * delete cascade} go with it.
     */
    public void discardUpload(String accountId, String jobId) {
        jdbi.useTransaction(h -> {
            var row = store.lock(h, accountId, jobId).orElse(null);
            if (row == null || row.state() != JobState.UPLOADING) return;
            files.destroy(h, accountId, jobId);
            store.delete(h, accountId, jobId);
        });
    }

    /**
     * Moves a staged job (an import's preview) to its run, in the caller's transaction: {@link
     * ConflictException} unless it is staged. Call {@link #start} after the commit.
     */
    public Job queue(Handle h, String accountId, String jobId, Map<String, Object> params) {
        var row = store.lock(h, accountId, jobId).orElseThrow(() -> new NotFoundException("No such job."));
        if (row.state() != JobState.STAGED)
            throw new ConflictException(
                    "The job is " + row.state().wireName() + ", not staged: it cannot be committed.");
        store.queue(h, accountId, jobId, params);
        store.clearErrors(h, accountId, jobId);
        return store.find(h, accountId, jobId).orElseThrow().view();
    }

    /** The job, locked for the caller's transaction (a download, a commit); {@link NotFoundException} if none. */
    public Job lock(Handle h, String accountId, String jobId) {
        return store.lock(h, accountId, jobId)
                .map(JdbcJobStore.Row::view)
                .orElseThrow(() -> new NotFoundException("No such job."));
    }

    /** The job in the caller's transaction, if it exists. */
    public Optional<Job> find(Handle h, String accountId, String jobId) {
        return store.find(h, accountId, jobId).map(JdbcJobStore.Row::view);
    }

    /** Deletes the job's files and key now (a download used the last use of its link, an erasure). */
    public void destroyFiles(Handle h, String accountId, String jobId) {
        files.destroy(h, accountId, jobId);
    }

    /** Sets when the job's files are deleted. */
    public void expiresAt(Handle h, String accountId, String jobId, Instant at) {
        store.expiresAt(h, accountId, jobId, at);
    }

    /** One of the account's jobs. */
    public Job get(Caller admin, String jobId) {
        AccountService.requireScope(admin, Scope.ADMIN);
        return jdbi.withHandle(h -> store.find(h, admin.accountId(), jobId)
                .map(JdbcJobStore.Row::view)
                .orElseThrow(() -> new NotFoundException("No such job.")));
    }

    /** The account's jobs, newest first, of one kind and state or all. */
    public JobPage list(Caller admin, JobKind kind, JobState state, int limit, String cursor) {
        AccountService.requireScope(admin, Scope.ADMIN);
        var filters =
                List.of(admin.accountId(), kind == null ? "" : kind.wireName(), state == null ? "" : state.wireName());
        Instant beforeAt = null;
        String beforeId = null;
        if (cursor != null) {
            var position = Cursors.open(cursor, filters, 2)
                    .orElseThrow(() -> new BadRequestException(
                            "Invalid cursor.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
            try {
                beforeAt = Instant.parse(position.get(0));
                beforeId = position.get(1);
            } catch (RuntimeException e) {
                throw new BadRequestException("Invalid cursor.", List.of(new FieldError("cursor", Cursors.PROBLEM)));
            }
        }
        Instant at = beforeAt;
        String id = beforeId;
        var rows = jdbi.withHandle(h -> store.page(h, admin.accountId(), kind, state, at, id, limit));
        String next = rows.size() < limit
                ? null
                : Cursors.seal(
                        filters,
                        List.of(
                                rows.getLast().createdAt().toString(),
                                rows.getLast().jobId()));
        return new JobPage(rows.stream().map(JdbcJobStore.Row::view).toList(), next);
    }

    /** A page of the job's errors, in the order they were met. */
    public JobErrorPage errors(Caller admin, String jobId, int limit, String cursor) {
        AccountService.requireScope(admin, Scope.ADMIN);
        var filters = List.of(admin.accountId(), jobId);
        long from = Cursors.afterNumber(cursor, filters)
                .orElseThrow(() ->
                        new BadRequestException("Invalid cursor.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
        return jdbi.withHandle(h -> {
            if (store.find(h, admin.accountId(), jobId).isEmpty()) throw new NotFoundException("No such job.");
            var rows = store.errors(h, admin.accountId(), jobId, from, limit);
            String next = rows.size() < limit
                    ? null
                    : Cursors.seal(
                            filters, List.of(String.valueOf(rows.getLast().getKey())));
            return new JobErrorPage(rows.stream().map(Map.Entry::getValue).toList(), next);
        });
    }

    /**
     * Cancels a job: one waiting for its upload, its commit or a server ends {@code cancelled} at
     * once (its files deleted); a previewing or running one is asked to stop and does at its next
     * step (what its finished steps
     * did stays done: each step is whole). {@link ConflictException} for a job that has ended.
     */
    public Job cancel(Caller admin, String jobId) {
        AccountService.requireScope(admin, Scope.ADMIN);
        return jdbi.inTransaction(h -> {
            var row = store.lock(h, admin.accountId(), jobId).orElseThrow(() -> new NotFoundException("No such job."));
            if (row.state().isFinal())
                throw new ConflictException("The job is " + row.state().wireName() + ": there is nothing to cancel.");
            Instant now = clock.instant();
            if (row.state() == JobState.RUNNING || row.state() == JobState.PREVIEWING) {
                // a run may be at work on it: it stops at its next step (or at its start)
                store.requestCancel(h, admin.accountId(), jobId);
            } else {
                store.finish(h, admin.accountId(), jobId, JobState.CANCELLED, row.result(), null, now, null);
                if (row.files()) files.destroy(h, admin.accountId(), jobId);
            }
            audit.append(
                    h,
                    AuditEvent.ok(
                            admin.accountId(),
                            admin.actor(),
                            "job.cancel",
                            List.of("job:" + jobId),
                            Map.of(
                                    "kind",
                                    row.kind().wireName(),
                                    "state",
                                    row.state().wireName())));
            var job = store.find(h, admin.accountId(), jobId).orElseThrow().view();
            if (job.jobState() == JobState.CANCELLED) ended(h, admin.accountId(), job);
            return job;
        });
    }

    void total(String accountId, String jobId, long total) {
        jdbi.useTransaction(h -> store.total(h, accountId, jobId, total));
    }

    // ---- running ----

    /**
     * The scheduler's run of one job, when a thread is free for it; otherwise the job stays where
     * it is, and is asked for again as soon as a run here ends (or by the resume task within a
     * minute, on whichever server has a thread free).
     */
    private void execute(String instanceId) {
        if (!running.tryAcquire()) {
            turnedAway.set(true);
            // a run that ended between the first try and the flag did not see it: try once more
            if (!running.tryAcquire()) return;
        }
        try {
            runJob(instanceId);
        } finally {
            running.release();
            if (turnedAway.getAndSet(false) && !stopping) askAgainShortly();
        }
    }

    /**
     * Gives the jobs turned away a run again, a moment after a thread came free: the turned-away
     * run must first have ended (its task row is deleted then), or asking again would find it there
     * and change nothing.
     */
    private void askAgainShortly() {
        Thread.ofVirtual().name("lethe-jobs-again").start(() -> {
            try {
                Thread.sleep(TURNED_AWAY_RETRY);
                if (!stopping) resumeAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the resume task asks again within a minute
                log.info("jobs turned away could not be asked for again now {}", kv("error", SqlStates.describe(e)));
            }
        });
    }

    private void runJob(String instanceId) {
        int slash = instanceId.indexOf('/');
        if (slash < 0) return;
        String accountId = instanceId.substring(0, slash);
        String jobId = instanceId.substring(slash + 1);
        var started = jdbi.inTransaction(h -> {
            var row = store.lock(h, accountId, jobId);
            if (row.isEmpty() || !row.get().state().runnable()) return Optional.<JobRun>empty();
            var r = row.get();
            JobState phase = r.state() == JobState.PREVIEWING ? JobState.PREVIEWING : JobState.RUNNING;
            if (r.state() == JobState.QUEUED) {
                store.state(h, accountId, jobId, JobState.RUNNING, clock.instant(), null);
            } else if (r.startedAt() == null) {
                store.state(h, accountId, jobId, r.state(), clock.instant(), null);
            }
            // this run takes the job over: a run before it that still lives is refused at its next step
            int runNo = store.nextRun(h, accountId, jobId);
            return Optional.of(new JobRun(this, r, phase, runNo));
        });
        if (started.isEmpty()) return;
        var run = started.get();
        if (run.row().cancelRequested()) {
            end(run, JobState.CANCELLED, null, null, null);
            return;
        }
        JobWork work;
        synchronized (this) {
            work = works.get(run.kind());
        }
        if (work == null) {
            end(run, JobState.FAILED, null, "no server here runs " + run.kind().wireName() + " jobs", null);
            return;
        }
        log.info(
                "job started {} {} {}",
                kv("job", jobId),
                kv("kind", run.kind().wireName()),
                kv("phase", run.phase().wireName()));
        try {
            work.run(run);
            var finish = run.finishing();
            if (finish != null) {
                end(run, finish.state(), finish.result(), null, finish.expiresAt());
            } else {
                end(
                        run,
                        run.phase() == JobState.PREVIEWING ? JobState.STAGED : JobState.COMPLETED,
                        Map.of(),
                        null,
                        null);
            }
        } catch (JobStopped e) {
            if (e.cancelled()) end(run, JobState.CANCELLED, null, null, null);
            else log.info("job paused: the server is stopping; it resumes from its last step {}", kv("job", jobId));
        } catch (JobFailure e) {
            end(run, JobState.FAILED, null, e.getMessage(), null);
        } catch (RuntimeException e) {
            if (stopping) {
                log.info("job paused: the server is stopping; it resumes from its last step {}", kv("job", jobId));
                return;
            }
            log.warn(
                    "job failed {} {} {}",
                    kv("job", jobId),
                    kv("kind", run.kind().wireName()),
                    kv("error", SqlStates.describe(e)));
            end(run, JobState.FAILED, null, "internal error (" + e.getClass().getSimpleName() + ")", null);
        }
    }

    private void end(JobRun run, JobState state, Map<String, Object> result, String failure, Instant expiresAt) {
        String accountId = run.accountId();
        String jobId = run.jobId();
        boolean recorded = jdbi.inTransaction(h -> {
            var row = store.lock(h, accountId, jobId).orElse(null);
            // a run that a later one took over records nothing: the later run ends the job
            if (row == null || row.state().isFinal() || row.runNo() != run.runNo()) return false;
            Instant now = clock.instant();
            Instant expires = state == JobState.STAGED && expiresAt == null ? now.plus(previewTtl) : expiresAt;
            store.finish(h, accountId, jobId, state, result, failure, now, expires);
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            Actor.SYSTEM,
                            "job." + state.wireName(),
                            List.of("job:" + jobId),
                            Map.of("kind", row.kind().wireName(), "done", run.done(), "errors", run.errors())));
            // listeners (a notification naming the requester) may still open the sealed parameters
            ended(h, accountId, store.find(h, accountId, jobId).orElseThrow().view());
            boolean keep = state == JobState.STAGED || (state == JobState.COMPLETED && expires != null);
            if (row.files() && !keep) files.destroy(h, accountId, jobId);
            return true;
        });
        if (recorded)
            log.info(
                    "job ended {} {} {} {}",
                    kv("job", jobId),
                    kv("kind", run.kind().wireName()),
                    kv("state", state.wireName()),
                    kv("done", run.done()));
    }

    /** The job's personal parameters, opened in the caller's transaction (a listener naming the requester). */
    public Optional<byte[]> personalParams(Handle h, String accountId, String jobId) {
        return store.find(h, accountId, jobId)
                .filter(r -> r.sealed() != null)
                .flatMap(r -> files.unseal(h, accountId, jobId, r.sealed()));
    }

    private void ended(Handle h, String accountId, Job job) {
        for (var listener : listeners) listener.accept(new Ended(h, accountId, job));
    }

    /** Gives a run to every job that should have one (a crash between recording and asking). */
    void resumeAll() {
        var runnable = jdbi.withHandle(h -> store.runnable(h, 1000));
        for (var row : runnable) {
            if (scheduler.runNow(TASK, row.accountId() + "/" + row.jobId()))
                log.info("job given a run again {}", kv("job", row.jobId()));
        }
    }

    /** Deletes jobs' files past their time; a preview that waited too long expires. */
    public void expireDue() {
        Instant now = clock.instant();
        List<JdbcJobStore.Row> due;
        do {
            due = jdbi.withHandle(h -> store.filesDue(h, now, 100));
            for (var row : due) {
                jdbi.useTransaction(h -> {
                    var locked = store.lock(h, row.accountId(), row.jobId()).orElse(null);
                    if (locked == null
                            || !locked.files()
                            || locked.expiresAt() == null
                            || locked.expiresAt().isAfter(now)) return;
                    files.destroy(h, row.accountId(), row.jobId());
                    if (locked.state() == JobState.STAGED || locked.state() == JobState.UPLOADING) {
                        store.finish(
                                h, row.accountId(), row.jobId(), JobState.EXPIRED, locked.result(), null, now, null);
                        ended(
                                h,
                                row.accountId(),
                                store.find(h, row.accountId(), row.jobId())
                                        .orElseThrow()
                                        .view());
                    }
                    audit.append(
                            h,
                            AuditEvent.ok(
                                    row.accountId(),
                                    Actor.SYSTEM,
                                    "job.files.expire",
                                    List.of("job:" + row.jobId()),
                                    Map.of("kind", row.kind().wireName())));
                });
            }
        } while (due.size() == 100);
    }

    /** Stops taking steps: a running job pauses at its next checkpoint and resumes after the restart. */
    public void stop() {
        stopping = true;
    }
}
