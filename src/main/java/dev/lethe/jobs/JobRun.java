package dev.lethe.jobs;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One run of a job, as its {@link JobWork} sees it: what was asked, where the last run stopped,
 * and the calls that record progress. A run may be a resumption: {@link #position} is what the
 * last committed {@link #checkpoint} recorded, and {@link #done}/{@link #errors} its counts.
 */
public final class JobRun {

    private final JobService service;
    private final JdbcJobStore.Row row;
    private final JobState phase;
    private final int runNo;
    private volatile long done;
    private volatile long errors;
    private volatile String position;
    private volatile JobStopped stop;
    private Finish finish;

    /** How the work ended the run, when it did so itself. */
    record Finish(JobState state, Map<String, Object> result, Instant expiresAt) {}

    JobRun(JobService service, JdbcJobStore.Row row, JobState phase, int runNo) {
        this.service = service;
        this.row = row;
        this.phase = phase;
        this.runNo = runNo;
        this.done = row.done();
        this.errors = row.errors();
        this.position = row.position();
    }

    public String accountId() {
        return row.accountId();
    }

    public String jobId() {
        return row.jobId();
    }

    public JobKind kind() {
        return row.kind();
    }

    /** {@link JobState#PREVIEWING} for a preview, {@link JobState#RUNNING} for the work itself. */
    public JobState phase() {
        return phase;
    }

    /** The API key that asked for the job. */
    public String requestedBy() {
        return row.requestedBy();
    }

    public Instant createdAt() {
        return row.createdAt();
    }

    /** What was asked, without personal values. */
    public Map<String, Object> params() {
        return row.params();
    }

    /** What was asked that is personal, opened with the job's key; empty if there is none or it is destroyed. */
    public Optional<byte[]> sealedParams(Handle h) {
        return row.sealed() == null ? Optional.empty() : service.files().unseal(h, accountId(), jobId(), row.sealed());
    }

    /** Where the last committed checkpoint stopped (empty on a first run). */
    public Optional<String> position() {
        return Optional.ofNullable(position);
    }

    /** Rows done as of the last committed checkpoint. */
    public long done() {
        return done;
    }

    /** Errors recorded as of the last committed checkpoint. */
    public long errors() {
        return errors;
    }

    /** The job's files. */
    public JobFiles files() {
        return service.files();
    }

    /** Records how many rows the job goes through (for progress), in its own transaction. */
    public void total(long total) {
        service.total(row.accountId(), row.jobId(), total);
    }

    /**
     * Records an error in the caller's transaction (the one that records the step it belongs to);
     * {@code reason} holds no value. Counted by the step's {@link #checkpoint}.
     */
    public void error(Handle h, long rowNumber, String column, String reason) {
        service.store().error(h, row.accountId(), row.jobId(), rowNumber, column, reason);
    }

    /** {@link #error} for many errors of one step, written together. */
    public void errors(Handle h, List<JobError> errors) {
        service.store().errors(h, row.accountId(), row.jobId(), errors);
    }

    /**
     * Records progress in the caller's transaction: the step's changes and its checkpoint commit
     * together, so a crash resumes exactly after the last whole step.
     *
     * <p>A cancel (or the server stopping) seen here lets this step commit, and stops the run at
     * its next step: {@link #stopIfAsked} (call it at the start of each step) or the next
     * checkpoint throws {@link JobStopped}, which the work lets through; a step cut short that way
     * rolls back whole, and the run ends at the position this checkpoint recorded. A run that a
     * later run has taken over (the scheduler thought it dead) is refused here with {@link
     * JobStopped}, and its step rolls back.
     *
     * @param doneNow how many rows are done in this phase, this step included
     * @param positionNow where the next run starts if this one stops after this step
     */
    public void checkpoint(Handle h, long doneNow, String positionNow) {
        stopIfAsked();
        var recorded = service.store().progress(h, row.accountId(), row.jobId(), runNo, doneNow, positionNow);
        if (!recorded.owned()) throw new JobStopped(JobStopped.Why.SUPERSEDED);
        h.afterCommit(() -> {
            done = doneNow;
            position = positionNow;
            errors = recorded.errors();
            if (recorded.cancel()) stop = new JobStopped(JobStopped.Why.CANCELLED);
            else if (Thread.currentThread().isInterrupted() || service.stopping())
                stop = new JobStopped(JobStopped.Why.SERVER_STOPPING);
        });
    }

    /** Throws {@link JobStopped} when the job was cancelled or the server is stopping; call it before each step. */
    public void stopIfAsked() {
        if (stop != null) throw stop;
        if (service.stopping()) throw new JobStopped(JobStopped.Why.SERVER_STOPPING);
    }

    /**
     * Ends the run in this state with this summary (no personal value): {@link JobState#STAGED}
     * for a preview awaiting its commit, {@link JobState#COMPLETED} otherwise. {@code expiresAt}
     * is when the job's files are deleted (null: at once when completed; after the preview's time
     * when staged).
     */
    public void finish(JobState state, Map<String, Object> result, Instant expiresAt) {
        if (state != JobState.STAGED && state != JobState.COMPLETED)
            throw new IllegalArgumentException("a run finishes staged or completed, not " + state);
        this.finish = new Finish(state, Collections.unmodifiableMap(new LinkedHashMap<>(result)), expiresAt);
    }

    Finish finishing() {
        return finish;
    }

    int runNo() {
        return runNo;
    }

    JdbcJobStore.Row row() {
        return row;
    }
}
