package dev.lethe.jobs;

import java.util.Arrays;
import java.util.List;

/**
 * Where a job is. {@code previewing}, {@code queued} and {@code running} have a run (or will have
 * one soon); {@code uploading} waits for its input, {@code staged} for a person (an import's
 * commit); the last four are final.
 */
public enum JobState {
    /** Its input is arriving (an upload being staged); no run until it has all arrived. */
    UPLOADING("uploading"),
    /** Reading its input to show what it would do (an import's preview); nothing is changed. */
    PREVIEWING("previewing"),
    /** The preview is ready; waits for its commit until it expires. */
    STAGED("staged"),
    /** Waits for a server to run it. */
    QUEUED("queued"),
    /** A server runs it; after a crash, another (or the same, restarted) resumes it. */
    RUNNING("running"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    /** Its upload or its preview waited longer than it may (its staged file is deleted). */
    EXPIRED("expired");

    /** The states as the API spells them. */
    public static final List<String> WIRE_NAMES =
            Arrays.stream(values()).map(JobState::wireName).toList();

    private final String wireName;

    JobState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether a server should be running this job. */
    public boolean runnable() {
        return this == PREVIEWING || this == QUEUED || this == RUNNING;
    }

    /** Whether nothing more happens to this job. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == EXPIRED;
    }

    /** The state the API or the table names; {@link IllegalArgumentException} for another name. */
    public static JobState fromWire(String wire) {
        for (JobState s : values()) if (s.wireName.equals(wire)) return s;
        throw new IllegalArgumentException("no job state " + wire);
    }
}
