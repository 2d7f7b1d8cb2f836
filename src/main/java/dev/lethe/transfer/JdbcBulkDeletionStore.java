package dev.lethe.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The bulk deletions' tables: per job its summed counts, and the erasures it made. */
final class JdbcBulkDeletionStore {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What a job counted so far. */
    record Counts(
            long erased,
            long notFound,
            long alreadyErased,
            long duplicates,
            Map<String, Long> tables,
            Map<String, BulkDeletionReceipt.Held> held,
            Map<String, BulkDeletionReceipt.Kept> kept) {

        static Counts empty() {
            return new Counts(0, 0, 0, 0, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        }
    }

    void insert(Handle h, String accountId, String jobId) {
        h.createUpdate("""
                        insert into bulk_deletions
                          (account_id, job_id, erased, not_found, already_erased, duplicates, tables, held, kept)
                        values (:account, :job, 0, 0, 0, 0, '{}', '{}', '{}')
                        """).bind("account", accountId).bind("job", jobId).execute();
    }

    Optional<Counts> find(Handle h, String accountId, String jobId) {
        return h.createQuery("select * from bulk_deletions where account_id = :account and job_id = :job")
                .bind("account", accountId)
                .bind("job", jobId)
                .map((rs, ctx) -> new Counts(
                        rs.getLong("erased"),
                        rs.getLong("not_found"),
                        rs.getLong("already_erased"),
                        rs.getLong("duplicates"),
                        read(rs.getString("tables"), new TypeReference<LinkedHashMap<String, Long>>() {}),
                        read(
                                rs.getString("held"),
                                new TypeReference<LinkedHashMap<String, BulkDeletionReceipt.Held>>() {}),
                        read(
                                rs.getString("kept"),
                                new TypeReference<LinkedHashMap<String, BulkDeletionReceipt.Kept>>() {})))
                .findOne();
    }

    void update(Handle h, String accountId, String jobId, Counts c) {
        h.createUpdate("""
                        update bulk_deletions set erased = :erased, not_found = :notFound,
                          already_erased = :already, duplicates = :duplicates, tables = :tables, held = :held,
                          kept = :kept
                        where account_id = :account and job_id = :job
                        """)
                .bind("erased", c.erased())
                .bind("notFound", c.notFound())
                .bind("already", c.alreadyErased())
                .bind("duplicates", c.duplicates())
                .bind("tables", write(c.tables()))
                .bind("held", write(c.held()))
                .bind("kept", write(c.kept()))
                .bind("account", accountId)
                .bind("job", jobId)
                .execute();
    }

    /** Records the erasures this job made (one JDBC batch). */
    void erasures(Handle h, String accountId, String jobId, java.util.Collection<String> erasureIds) {
        if (erasureIds.isEmpty()) return;
        var batch = h.prepareBatch(
                "insert into bulk_deletion_erasures (account_id, job_id, erasure_id) values (:a, :j, :e)");
        for (String e : erasureIds)
            batch.bind("a", accountId).bind("j", jobId).bind("e", e).add();
        batch.execute();
    }

    /** Those of these erasures this job made (one query). */
    java.util.Set<String> made(Handle h, String accountId, String jobId, java.util.Collection<String> erasureIds) {
        if (erasureIds.isEmpty()) return java.util.Set.of();
        return new java.util.HashSet<>(h.createQuery("""
                        select erasure_id from bulk_deletion_erasures
                        where account_id = :a and job_id = :j and erasure_id in (<e>)
                        """)
                .bind("a", accountId)
                .bind("j", jobId)
                .bindList("e", dev.lethe.storage.Ids.uuids(erasureIds))
                .mapTo(String.class)
                .list());
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("counts could not be written", e);
        }
    }

    private static <T> T read(String text, TypeReference<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("counts could not be read", e);
        }
    }
}
