package dev.lethe.jobs;

/**
 * Thrown from {@link JobRun#checkpoint} or {@link JobRun#stopIfAsked} when the run must stop where
 * it is: the job was cancelled, the server is stopping (the job stays where it is and resumes from
 * its last checkpoint after the restart), or a later run took the job over. A job's work lets it
 * through.
 */
public final class JobStopped extends RuntimeException {

    /** Why a run stopped. */
    public enum Why {
        CANCELLED,
        SERVER_STOPPING,
        /** The scheduler gave the job to another run (this one's heartbeats were missed); that run goes on. */
        SUPERSEDED
    }

    private final Why why;

    JobStopped(Why why) {
        super(why.name().toLowerCase(java.util.Locale.ROOT), null, false, false);
        this.why = why;
    }

    public Why why() {
        return why;
    }

    public boolean cancelled() {
        return why == Why.CANCELLED;
    }
}
