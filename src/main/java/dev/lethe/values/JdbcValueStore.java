package dev.lethe.values;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Dialect;
import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Personal values in SQL, written in JDBC batches; on PostgreSQL a batch of many values (a track
 * batch writes one per tracked field of every event) goes in with COPY instead.
 */
public final class JdbcValueStore implements ValueStore {

    /** Subjects whose values one statement reads (see {@link #bySubjectsAndFields}). */
    private static final int SUBJECTS_PER_READ = 500;

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
                            "rule_kind",
                            "anchor_at",
                            "key_id",
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
                        .text(v.ruleKind())
                        .timestamp(v.anchorAt())
                        .uuid(v.keyId())
                        .bytes(v.ciphertext());
            }
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into personal_values
                  (account_id, category, collected_at, value_id, subject_id, field, record_kind, record_id,
                   rule_kind, anchor_at, key_id, ciphertext)
                values (:account, :category, :collectedAt, :valueId, :subject, :field, :recordKind, :recordId,
                        :ruleKind, :anchorAt, :keyId, :ciphertext)
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
                    .bind("ruleKind", v.ruleKind())
                    .bind("anchorAt", utc(v.anchorAt()))
                    .bind("keyId", v.keyId())
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

    /**
     * The ids are joined as a list of rows ({@code values (…), (…)}) rather than tested with
     * {@code in (…)}: H2 does not look a bound {@code in} list up in {@code personal_values_by_record}
     * and scans every value of the account instead (about 100,000 rows per page of a large access
     * package, 150 s for a person with 100,000 events); a join looks each id up in the index, on
     * H2 and PostgreSQL alike.
     */
    @Override
    public List<SealedValue> byRecords(Handle h, String accountId, List<String> recordIds) {
        var out = new ArrayList<SealedValue>();
        for (int from = 0; from < recordIds.size(); from += 500) {
            var chunk = Ids.uuids(recordIds.subList(from, Math.min(recordIds.size(), from + 500)));
            var rows = new StringBuilder();
            for (int i = 0; i < chunk.size(); i++) {
                if (i > 0) rows.append(", ");
                rows.append("(cast(:r").append(i).append(" as uuid))");
            }
            var query = h.createQuery("select v.* from (values " + rows + ") ids (record_id)"
                            + " join personal_values v on v.account_id = :account and v.record_id = ids.record_id"
                            + " order by v.collected_at, v.seq")
                    .bind("account", accountId);
            for (int i = 0; i < chunk.size(); i++) query.bind("r" + i, chunk.get(i));
            query.map(JdbcValueStore::sealed).forEach(out::add);
        }
        return out;
    }

    @Override
    public List<SealedValue> pageOfSubject(
            Handle h,
            String accountId,
            String subjectId,
            Collection<String> skippedRecordKinds,
            Instant afterAt,
            String afterId,
            int limit) {
        var query = h.createQuery("select * from personal_values where account_id = :account and subject_id = :subject"
                        + (skippedRecordKinds.isEmpty()
                                ? ""
                                : " and (record_kind is null or record_kind not in (<skipped>))")
                        + (afterAt == null
                                ? ""
                                : " and (collected_at > :afterAt or (collected_at = :afterAt and value_id > :afterId))")
                        + " order by collected_at, value_id limit :limit")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("limit", limit);
        if (!skippedRecordKinds.isEmpty()) query.bindList("skipped", List.copyOf(skippedRecordKinds));
        if (afterAt != null) query.bind("afterAt", utc(afterAt)).bind("afterId", java.util.UUID.fromString(afterId));
        return query.map(JdbcValueStore::sealed).list();
    }

    @Override
    public java.util.Set<String> categoriesOf(Handle h, String accountId, String subjectId) {
        return new java.util.TreeSet<>(h.createQuery(
                        "select distinct category from personal_values where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .mapTo(String.class)
                .list());
    }

    @Override
    public List<SealedValue> bySubjectsAndFields(
            Handle h, String accountId, List<String> subjectIds, List<String> fields) {
        if (subjectIds.isEmpty() || fields.isEmpty()) return List.of();
        // In chunks of subjects, each subject's values in one chunk and in order. A chunk of a few
        // hundred is read through the index by subject; thousands at once were planned as a scan
        // of the whole table (an export's page of 2,000 people read every value of the account).
        var out = new ArrayList<SealedValue>();
        for (int from = 0; from < subjectIds.size(); from += SUBJECTS_PER_READ)
            h.createQuery("""
                            select * from personal_values
                            where account_id = :account and subject_id in (<subjects>) and field in (<fields>)
                            order by collected_at, seq
                            """)
                    .bind("account", accountId)
                    .bindList(
                            "subjects",
                            Ids.uuids(subjectIds.subList(from, Math.min(subjectIds.size(), from + SUBJECTS_PER_READ))))
                    .bindList("fields", fields)
                    .map(JdbcValueStore::sealed)
                    .forEach(out::add);
        return out;
    }

    private static SealedValue sealed(ResultSet rs, StatementContext ctx) throws SQLException {
        return new SealedValue(
                rs.getString("value_id"),
                rs.getString("subject_id"),
                rs.getString("category"),
                rs.getString("field"),
                rs.getObject("collected_at", OffsetDateTime.class).toInstant(),
                rs.getString("record_kind"),
                rs.getString("record_id"),
                rs.getString("rule_kind"),
                rs.getObject("anchor_at", OffsetDateTime.class).toInstant(),
                rs.getString("key_id"),
                rs.getBytes("ciphertext"));
    }

    @Override
    public int moveSubject(Handle h, String accountId, String fromSubject, String toSubject) {
        return h.createUpdate("""
                        update personal_values set subject_id = :to
                        where account_id = :account and subject_id = :from
                        """)
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
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
