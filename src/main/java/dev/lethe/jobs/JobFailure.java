package dev.lethe.jobs;

/**
 * Thrown by a job's work to end it as failed with a reason shown to the account: the reason must
 * hold no personal value (it is stored and shown as is).
 */
public final class JobFailure extends RuntimeException {
    public JobFailure(String reason) {
        super(reason, null, false, false);
    }
}
