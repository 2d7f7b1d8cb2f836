package dev.lethe.jobs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Map;

/**
 * A job as the API shows it: never a personal value.
 *
 * @param id the job's id
 * @param kind import, export or bulk-deletion
 * @param state where it is ({@link JobState})
 * @param requestedBy the id of the API key that asked for it
 * @param params what was asked, without personal values (a mode, columns, a segment id)
 * @param total how many rows the job has to go through, once known
 * @param done how many it went through (in its current phase)
 * @param errors how many errors it met ({@code GET /v1/jobs/{id}/errors} lists them)
 * @param cancelRequested a cancel was asked for and the run stops at its next step
 * @param result the job's summary once its phase ended (counts, a receipt id, a download link); empty before
 * @param failure why it failed, when it did
 * @param createdAt when it was asked for
 * @param startedAt when a server first started it
 * @param finishedAt when it reached a final state (or its preview was ready)
 * @param expiresAt when its files are deleted (a staged import, an export's file)
 */
public record Job(
        String id,
        String kind,
        String state,
        String requestedBy,
        Map<String, Object> params,
        Long total,
        long done,
        long errors,
        boolean cancelRequested,
        Map<String, Object> result,
        String failure,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant expiresAt) {

    /** The state as a value. */
    @JsonIgnore
    public JobState jobState() {
        return JobState.fromWire(state);
    }

    /** The kind as a value. */
    @JsonIgnore
    public JobKind jobKind() {
        return JobKind.fromWire(kind);
    }
}
