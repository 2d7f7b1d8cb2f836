package dev.lethe.jobs;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.storage.BinaryCopy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The jobs, job_errors and job_chunks tables in SQL. */
final class JdbcJobStore {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    /** One stored job. */
    record Row(
            String accountId,
            String jobId,
            JobKind kind,
            JobState state,
            String requestedBy,
            Map<String, Object> params,
            byte[] sealed,
            Long total,
            long done,
            long errors,
            String position,
            Map<String, Object> result,
            String failure,
            boolean cancelRequested,
            boolean files,
            int runNo,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            Instant expiresAt) {

        Job view() {
            return new Job(
                    jobId,
                    kind.wireName(),
                    state.wireName(),
                    requestedBy,
                    params,
                    total,
                    done,
                    errors,
                    cancelRequested,
                    result == null ? Map.of() : result,
                    failure,
                    createdAt,
                    startedAt,
                    finishedAt,
                    expiresAt);
        }
    }

    void insert(Handle h, Row row) {
        h.createUpdate("""
                        insert into jobs (account_id, job_id, kind, state, requested_by, params, sealed, total, done,
                                          errors, cancel_requested, files, run_no, created_at, expires_at)
                        values (:account, :job, :kind, :state, :by, :params, :sealed, :total, 0, 0, false, true, 0,
                                :at, :expires)
                        """)
                .bind("account", row.accountId())
                .bind("job", row.jobId())
                .bind("kind", row.kind().wireName())
                .bind("state", row.state().wireName())
                .bind("by", row.requestedBy())
                .bind("params", json(row.params()))
                .bind("sealed", row.sealed())
                .bind("total", row.total())
                .bind("at", utc(row.createdAt()))
                .bind("expires", row.expiresAt() == null ? null : utc(row.expiresAt()))
                .execute();
    }

    Optional<Row> find(Handle h, String accountId, String jobId) {
        return h.createQuery("select * from jobs where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    /** The job's row locked until the transaction ends (every state change takes it first). */
    Optional<Row> lock(Handle h, String accountId, String jobId) {
        return h.createQuery("select * from jobs where account_id = :account and job_id = :job for update")
                .bind("account", accountId)
                .bind("job", jobId)
                .map((rs, ctx) -> row(rs))
                .findOne();
    }

    List<Row> page(
            Handle h, String accountId, JobKind kind, JobState state, Instant beforeAt, String beforeId, int limit) {
        var sql = new StringBuilder("select * from jobs where account_id = :account");
        if (kind != null) sql.append(" and kind = :kind");
        if (state != null) sql.append(" and state = :state");
        if (beforeAt != null) sql.append(" and (created_at < :at or (created_at = :at and job_id < :id))");
        sql.append(" order by created_at desc, job_id desc limit :limit");
        var q = h.createQuery(sql.toString()).bind("account", accountId).bind("limit", limit);
        if (kind != null) q.bind("kind", kind.wireName());
        if (state != null) q.bind("state", state.wireName());
        if (beforeAt != null) q.bind("at", utc(beforeAt)).bind("id", beforeId);
        return q.map((rs, ctx) -> row(rs)).list();
    }

    /** Jobs that should have a run: previewing, queued or running. */
    List<Row> runnable(Handle h, int limit) {
        return h.createQuery("""
                        select * from jobs where state in ('previewing', 'queued', 'running')
                        order by created_at, job_id limit :limit""").bind("limit", limit).map((rs, ctx) -> row(rs)).list();
    }

    /** Jobs whose files are past their time. */
    List<Row> filesDue(Handle h, Instant now, int limit) {
        return h.createQuery("""
                        select * from jobs where files = true and expires_at <= :now
                        order by expires_at limit :limit""")
                .bind("now", utc(now))
                .bind("limit", limit)
                .map((rs, ctx) -> row(rs))
                .list();
    }

    void state(Handle h, String accountId, String jobId, JobState state, Instant startedAt, Instant finishedAt) {
        h.createUpdate("""
                        update jobs set state = :state, started_at = coalesce(started_at, :started),
                                        finished_at = :finished
                        where account_id = :account and job_id = :job""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("state", state.wireName())
                .bind("started", startedAt == null ? null : utc(startedAt))
                .bind("finished", finishedAt == null ? null : utc(finishedAt))
                .execute();
    }

    void finish(
            Handle h,
            String accountId,
            String jobId,
            JobState state,
            Map<String, Object> result,
            String failure,
            Instant at,
            Instant expiresAt) {
        h.createUpdate("""
                        update jobs set state = :state, result = :result, failure = :failure, finished_at = :at,
                                        expires_at = :expires
                        where account_id = :account and job_id = :job""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("state", state.wireName())
                .bind("result", result == null ? null : fits(json(result)))
                .bind("failure", clip(failure, 500))
                .bind("at", utc(at))
                .bind("expires", expiresAt == null ? null : utc(expiresAt))
                .execute();
    }

    /** What a checkpoint found: whether this run still owns the job, and whether it should stop. */
    record Checkpoint(boolean owned, boolean cancel, long errors) {}

    /**
     * Records progress if run {@code runNo} still owns the job (no later run took it over) and it
     * has not ended; the errors count is that of the recorded errors.
     */
    Checkpoint progress(Handle h, String accountId, String jobId, int runNo, long done, String position) {
        long errors = errorCount(h, accountId, jobId);
        int updated = h.createUpdate("""
                        update jobs set done = :done, errors = :errors, position = :position
                        where account_id = :account and job_id = :job and run_no = :run
                          and state in ('previewing', 'running')""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("run", runNo)
                .bind("done", done)
                .bind("errors", errors)
                .bind("position", position)
                .execute();
        if (updated == 0) return new Checkpoint(false, false, errors);
        boolean cancel = h.createQuery(
                        "select cancel_requested from jobs where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .mapTo(Boolean.class)
                .one();
        return new Checkpoint(true, cancel, errors);
    }

    /** Gives the job to a new run: the next run number, which fences every older run out. */
    int nextRun(Handle h, String accountId, String jobId) {
        h.createUpdate("update jobs set run_no = run_no + 1 where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .execute();
        return h.createQuery("select run_no from jobs where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .mapTo(Integer.class)
                .one();
    }

    /** How many errors the job recorded (their numbers run from 1 without gaps). */
    long errorCount(Handle h, String accountId, String jobId) {
        return h.createQuery(
                        "select coalesce(max(seq), 0) from job_errors where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .mapTo(Long.class)
                .one();
    }

    void total(Handle h, String accountId, String jobId, long total) {
        h.createUpdate("update jobs set total = :total where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("total", total)
                .execute();
    }

    /** Starts a new phase (an import's commit after its preview): counts and position start over. */
    void queue(Handle h, String accountId, String jobId, Map<String, Object> params) {
        h.createUpdate("""
                        update jobs set state = 'queued', params = :params, done = 0, errors = 0, position = null,
                                        finished_at = null, expires_at = null
                        where account_id = :account and job_id = :job""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("params", json(params))
                .execute();
    }

    void requestCancel(Handle h, String accountId, String jobId) {
        h.createUpdate("update jobs set cancel_requested = true where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .execute();
    }

    void expiresAt(Handle h, String accountId, String jobId, Instant at) {
        h.createUpdate("update jobs set expires_at = :at where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("at", at == null ? null : utc(at))
                .execute();
    }

    /** Deletes the job's row (its errors and chunks go with it). */
    void delete(Handle h, String accountId, String jobId) {
        h.createUpdate("delete from jobs where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .execute();
    }

    /** Marks the job's files gone (and its sealed parameters with them: their key is destroyed). */
    void filesGone(Handle h, String accountId, String jobId) {
        h.createUpdate("""
                        update jobs set files = false, sealed = null
                        where account_id = :account and job_id = :job""").bind("account", accountId).bind("job", jobId).execute();
    }

    void error(Handle h, String accountId, String jobId, long row, String column, String reason) {
        h.createUpdate("""
                        insert into job_errors (account_id, job_id, seq, row_no, column_name, reason)
                        select :account, :job, coalesce(max(seq), 0) + 1, :row, :column, :reason
                        from job_errors where account_id = :account and job_id = :job""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("row", row)
                .bind("column", clip(column, 200))
                .bind("reason", clip(reason, 500))
                .execute();
    }

    /**
     * {@link #error} for many errors of one step, numbered on from the job's last one: one
     * statement batch (one COPY on PostgreSQL) instead of one statement each. The job's row is
     * locked by the step's checkpoint, not here; a job's steps run one at a time.
     */
    void errors(Handle h, String accountId, String jobId, List<JobError> errors) {
        if (errors.isEmpty()) return;
        long last = h.createQuery(
                        "select coalesce(max(seq), 0) from job_errors where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .mapTo(Long.class)
                .one();
        if (errors.size() >= BinaryCopy.MIN_ROWS && BinaryCopy.available(h)) {
            var copy = new BinaryCopy(
                    "job_errors",
                    List.of("account_id", "job_id", "seq", "row_no", "column_name", "reason"),
                    errors.size());
            for (var e : errors)
                copy.row()
                        .uuid(accountId)
                        .uuid(jobId)
                        .int8(++last)
                        .int8(e.row())
                        .text(clip(e.column(), 200))
                        .text(clip(e.reason(), 500));
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into job_errors (account_id, job_id, seq, row_no, column_name, reason)
                values (:account, :job, :seq, :row, :column, :reason)""");
        for (var e : errors)
            batch.bind("account", accountId)
                    .bind("job", jobId)
                    .bind("seq", ++last)
                    .bind("row", e.row())
                    .bind("column", clip(e.column(), 200))
                    .bind("reason", clip(e.reason(), 500))
                    .add();
        batch.execute();
    }

    /** Errors after {@code afterSeq}, in the order they were met, with their sequence numbers. */
    List<Map.Entry<Long, JobError>> errors(Handle h, String accountId, String jobId, long afterSeq, int limit) {
        return h.createQuery("""
                        select seq, row_no, column_name, reason from job_errors
                        where account_id = :account and job_id = :job and seq > :after
                        order by seq limit :limit""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("after", afterSeq)
                .bind("limit", limit)
                .map((rs, ctx) -> Map.entry(
                        rs.getLong("seq"),
                        new JobError(rs.getLong("row_no"), rs.getString("column_name"), rs.getString("reason"))))
                .list();
    }

    /** Removes the errors recorded so far (a phase that starts over records its own). */
    void clearErrors(Handle h, String accountId, String jobId) {
        h.createUpdate("delete from job_errors where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .execute();
    }

    void insertChunk(Handle h, String accountId, String jobId, String stream, int seq, byte[] data) {
        h.createUpdate("""
                        insert into job_chunks (account_id, job_id, stream, seq, data)
                        values (:account, :job, :stream, :seq, :data)""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("stream", stream)
                .bind("seq", seq)
                .bind("data", data)
                .execute();
    }

    Optional<byte[]> chunk(Handle h, String accountId, String jobId, String stream, int seq) {
        return h.createQuery("""
                        select data from job_chunks
                        where account_id = :account and job_id = :job and stream = :stream and seq = :seq""")
                .bind("account", accountId)
                .bind("job", jobId)
                .bind("stream", stream)
                .bind("seq", seq)
                .mapTo(byte[].class)
                .findOne();
    }

    int deleteChunks(Handle h, String accountId, String jobId, String stream) {
        var sql = "delete from job_chunks where account_id = :account and job_id = :job"
                + (stream == null ? "" : " and stream = :stream");
        var u = h.createUpdate(sql).bind("account", accountId).bind("job", jobId);
        if (stream != null) u.bind("stream", stream);
        return u.execute();
    }

    private static Row row(ResultSet rs) throws SQLException {
        long total = rs.getLong("total");
        Long totalOrNull = rs.wasNull() ? null : total;
        return new Row(
                rs.getString("account_id"),
                rs.getString("job_id"),
                JobKind.fromWire(rs.getString("kind")),
                JobState.fromWire(rs.getString("state")),
                rs.getString("requested_by"),
                map(rs.getString("params")),
                rs.getBytes("sealed"),
                totalOrNull,
                rs.getLong("done"),
                rs.getLong("errors"),
                rs.getString("position"),
                rs.getString("result") == null ? null : map(rs.getString("result")),
                rs.getString("failure"),
                rs.getBoolean("cancel_requested"),
                rs.getBoolean("files"),
                rs.getInt("run_no"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "expires_at"));
    }

    /** A summary as stored: too long for its column, it says so instead (a summary is counts, not lists). */
    private static String fits(String json) {
        return json.length() <= 8000 ? json : "{\"truncated\": true}";
    }

    /** Text cut to what its column holds (a reason or a CSV header is never allowed to fail a step). */
    static String clip(String text, int max) {
        if (text == null || text.length() <= max) return text;
        return text.substring(0, max - 1) + "…";
    }

    private static String json(Map<String, Object> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a job's parameters and result are plain JSON values", e);
        }
    }

    private static Map<String, Object> map(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored job's JSON does not read", e);
        }
    }
}
