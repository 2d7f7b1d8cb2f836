package dev.lethe.jobs;

/**
 * What a kind of job does when a server runs it. It is run again from its last {@link
 * JobRun#checkpoint} after a crash, so each step it records must be whole: what a step changes is
 * written in the transaction that records the checkpoint. It ends by returning (the job completes,
 * or for a preview becomes staged), by {@link JobRun#finish}, or by throwing {@link JobFailure}.
 */
@FunctionalInterface
public interface JobWork {
    void run(JobRun run);
}
