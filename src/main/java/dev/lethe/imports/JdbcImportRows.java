package dev.lethe.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.storage.BinaryCopy;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** The {@code import_rows} table: a preview's outcome per row (field names, never values). */
final class JdbcImportRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    void insert(Handle h, String accountId, String jobId, ImportRow row) {
        h.createUpdate("insert into import_rows (account_id, job_id, row_no, action, fields, errors)"
                        + " values (:a, :j, :r, :action, :fields, :errors)")
                .bind("a", UUID.fromString(accountId))
                .bind("j", UUID.fromString(jobId))
                .bind("r", row.row())
                .bind("action", row.action())
                .bind("fields", write(row.fields()))
                .bind("errors", write(row.errors()))
                .execute();
    }

    /** {@link #insert} of a batch's rows, in one batch of statements (one COPY on PostgreSQL). */
    void insertAll(Handle h, String accountId, String jobId, List<ImportRow> rows) {
        if (rows.isEmpty()) return;
        if (rows.size() >= BinaryCopy.MIN_ROWS && BinaryCopy.available(h)) {
            var copy = new BinaryCopy(
                    "import_rows",
                    List.of("account_id", "job_id", "row_no", "action", "fields", "errors"),
                    rows.size());
            for (var row : rows)
                copy.row()
                        .uuid(accountId)
                        .uuid(jobId)
                        .int8(row.row())
                        .text(row.action())
                        .text(write(row.fields()))
                        .text(write(row.errors()));
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("insert into import_rows (account_id, job_id, row_no, action, fields, errors)"
                + " values (:a, :j, :r, :action, :fields, :errors)");
        for (var row : rows)
            batch.bind("a", UUID.fromString(accountId))
                    .bind("j", UUID.fromString(jobId))
                    .bind("r", row.row())
                    .bind("action", row.action())
                    .bind("fields", write(row.fields()))
                    .bind("errors", write(row.errors()))
                    .add();
        batch.execute();
    }

    /** The rows after {@code after}, in order, at most {@code limit}. */
    List<ImportRow> page(Handle h, String accountId, String jobId, long after, int limit) {
        return h.createQuery("select row_no, action, fields, errors from import_rows"
                        + " where account_id = :a and job_id = :j and row_no > :after order by row_no limit :limit")
                .bind("a", UUID.fromString(accountId))
                .bind("j", UUID.fromString(jobId))
                .bind("after", after)
                .bind("limit", limit)
                .map((rs, ctx) -> new ImportRow(
                        rs.getLong("row_no"),
                        rs.getString("action"),
                        read(rs.getString("fields"), new TypeReference<List<String>>() {}),
                        read(rs.getString("errors"), new TypeReference<List<ImportRow.CellError>>() {})))
                .list();
    }

    /** The preview's rows numbered {@code from}..{@code to} that were errors, by number. */
    Map<Long, ImportRow> errorsBetween(Handle h, String accountId, String jobId, long from, long to) {
        var out = new java.util.HashMap<Long, ImportRow>();
        h.createQuery("select row_no, action, fields, errors from import_rows where account_id = :a and job_id = :j"
                        + " and row_no between :from and :to and action = 'error'")
                .bind("a", UUID.fromString(accountId))
                .bind("j", UUID.fromString(jobId))
                .bind("from", from)
                .bind("to", to)
                .map((rs, ctx) -> new ImportRow(
                        rs.getLong("row_no"),
                        rs.getString("action"),
                        List.of(),
                        read(rs.getString("errors"), new TypeReference<List<ImportRow.CellError>>() {})))
                .forEach(r -> out.put(r.row(), r));
        return out;
    }

    void deleteOf(Handle h, String accountId, String jobId) {
        h.createUpdate("delete from import_rows where account_id = :a and job_id = :j")
                .bind("a", UUID.fromString(accountId))
                .bind("j", UUID.fromString(jobId))
                .execute();
    }

    private static String write(Object value) {
        try {
            String text = JSON.writeValueAsString(value);
            return text.length() <= 8000 ? text : JSON.writeValueAsString(List.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a preview row could not be written as JSON", e);
        }
    }

    private static <T> T read(String text, TypeReference<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a preview row could not be read", e);
        }
    }
}
