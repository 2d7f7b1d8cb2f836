package dev.lethe.jobs;

/**
 * Thrown from {@link JobRun#checkpoint} when the run must stop where it is: the job was cancelled
 * ({@link #cancelled} true), or the server is shutting down (the job stays running and resumes
 * from its last checkpoint). A job's work lets it through.
 */
public final class JobStopped extends RuntimeException {
    private final boolean cancelled;

    JobStopped(boolean cancelled) {
        super(cancelled ? "cancelled" : "server stopping", null, false, false);
        this.cancelled = cancelled;
    }

    public boolean cancelled() {
        return cancelled;
    }
}
