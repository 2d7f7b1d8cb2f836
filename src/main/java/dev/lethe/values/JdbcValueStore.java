package dev.lethe.values;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Dialect;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Personal values in SQL, written in JDBC batches; on PostgreSQL a batch of many values (a track
 * batch writes one per tracked field of every event) goes in with COPY instead.
 */
public final class JdbcValueStore implements ValueStore {

    private final Dialect dialect;

    public JdbcValueStore(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public void insert(Handle h, String accountId, List<SealedValue> values) {
        if (values.isEmpty()) return;
        if (dialect == Dialect.POSTGRESQL && values.size() >= BinaryCopy.MIN_ROWS) {
            var copy = new BinaryCopy(
                    "personal_values",
                    List.of(
                            "account_id",
                            "category",
                            "collected_at",
                            "value_id",
                            "subject_id",
                            "field",
                            "record_kind",
                            "record_id",
                            "ciphertext"),
                    values.size());
            for (var v : values) {
                copy.row()
                        .uuid(accountId)
                        .text(v.category())
                        .timestamp(v.collectedAt())
                        .uuid(v.valueId())
                        .uuid(v.subjectId())
                        .text(v.field())
                        .text(v.recordKind())
                        .uuid(v.recordId())
                        .bytes(v.ciphertext());
            }
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into personal_values
                  (account_id, category, collected_at, value_id, subject_id, field, record_kind, record_id, ciphertext)
                values (:account, :category, :collectedAt, :valueId, :subject, :field, :recordKind, :recordId, :ciphertext)
                """);
        for (var v : values) {
            batch.bind("account", accountId)
                    .bind("category", v.category())
                    .bind("collectedAt", utc(v.collectedAt()))
                    .bind("valueId", v.valueId())
                    .bind("subject", v.subjectId())
                    .bind("field", v.field())
                    .bind("recordKind", v.recordKind())
                    .bind("recordId", v.recordId())
                    .bind("ciphertext", v.ciphertext())
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<SealedValue> bySubject(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select * from personal_values
                        where account_id = :account and subject_id = :subject
                        order by collected_at, seq
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcValueStore::sealed)
                .list();
    }

    @Override
    public List<SealedValue> byRecords(Handle h, String accountId, List<String> recordIds) {
        var out = new java.util.ArrayList<SealedValue>();
        for (int from = 0; from < recordIds.size(); from += 500) {
            h.createQuery("""
                            select * from personal_values
                            where account_id = :account and record_id in (<records>)
                            order by collected_at, seq
                            """)
                    .bind("account", accountId)
                    .bindList("records", recordIds.subList(from, Math.min(recordIds.size(), from + 500)))
                    .map(JdbcValueStore::sealed)
                    .forEach(out::add);
        }
        return out;
    }

    @Override
    public List<SealedValue> bySubjectsAndFields(
            Handle h, String accountId, List<String> subjectIds, List<String> fields) {
        if (subjectIds.isEmpty() || fields.isEmpty()) return List.of();
        return h.createQuery("""
                        select * from personal_values
                        where account_id = :account and subject_id in (<subjects>) and field in (<fields>)
                        order by collected_at, seq
                        """)
                .bind("account", accountId)
                .bindList("subjects", subjectIds)
                .bindList("fields", fields)
                .map(JdbcValueStore::sealed)
                .list();
    }

    private static SealedValue sealed(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new SealedValue(
                rs.getString("value_id"),
                rs.getString("subject_id"),
                rs.getString("category"),
                rs.getString("field"),
                rs.getObject("collected_at", OffsetDateTime.class).toInstant(),
                rs.getString("record_kind"),
                rs.getString("record_id"),
                rs.getBytes("ciphertext"));
    }

    @Override
    public void reassign(Handle h, String accountId, List<SealedValue> values) {
        if (values.isEmpty()) return;
        var batch = h.prepareBatch("""
                update personal_values set subject_id = :subject, ciphertext = :ciphertext
                where account_id = :account and category = :category and collected_at = :collectedAt
                  and value_id = :valueId
                """);
        for (var v : values) {
            batch.bind("account", accountId)
                    .bind("category", v.category())
                    .bind("collectedAt", utc(v.collectedAt()))
                    .bind("valueId", v.valueId())
                    .bind("subject", v.subjectId())
                    .bind("ciphertext", v.ciphertext())
                    .add();
        }
        batch.execute();
    }

    @Override
    public void delete(Handle h, String accountId, List<SealedValue> values) {
        if (values.isEmpty()) return;
        var batch = h.prepareBatch("""
                delete from personal_values
                where account_id = :account and category = :category and collected_at = :collectedAt
                  and value_id = :valueId
                """);
        for (var v : values) {
            batch.bind("account", accountId)
                    .bind("category", v.category())
                    .bind("collectedAt", utc(v.collectedAt()))
                    .bind("valueId", v.valueId())
                    .add();
        }
        batch.execute();
    }

    @Override
    public int deleteBySubject(Handle h, String accountId, String subjectId) {
        return h.createUpdate("delete from personal_values where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .execute();
    }
}
