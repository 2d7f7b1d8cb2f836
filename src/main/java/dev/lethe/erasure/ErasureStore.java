package dev.lethe.erasure;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.lethe.subjects.SubjectTable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Erasure records in SQL (table {@code erasures}, V21): the receipt's header in columns, its
 * tables and held categories as a JSON text (counts, ids and the hold's reason only).
 */
final class ErasureStore {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** An erasure whose rows are not purged yet. */
    record Pending(String accountId, String erasureId, String subjectId) {}

    /** The receipt's lists; {@code kept} is absent from receipts written before rule holds (V26). */
    private record Body(
            List<ErasureReceipt.TableRows> tables,
            List<ErasureReceipt.HeldCategory> held,
            List<ErasureReceipt.KeptCategory> kept) {}

    void insert(Handle h, String accountId, ErasureReceipt r, String erasedBy) {
        insertAll(h, accountId, List.of(r), erasedBy);
    }

    Optional<ErasureReceipt> find(Handle h, String accountId, String erasureId) {
        return h.createQuery("select * from erasures where account_id = :account and erasure_id = :id")
                .bind("account", accountId)
                .bind("id", erasureId)
                .map(ErasureStore::receipt)
                .findOne();
    }

    Optional<ErasureReceipt> ofSubject(Handle h, String accountId, String subjectId) {
        return h.createQuery("select * from erasures where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(ErasureStore::receipt)
                .findOne();
    }

    /** Whether the erasure is recorded (a restored backup may not know it). */
    boolean exists(Handle h, String accountId, String erasureId) {
        return h.createQuery("select count(*) from erasures where account_id = :account and erasure_id = :id")
                        .bind("account", accountId)
                        .bind("id", erasureId)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    void markPurged(Handle h, String accountId, String erasureId, Instant at) {
        h.createUpdate("""
                        update erasures set state = 'purged', purged_at = :at
                        where account_id = :account and erasure_id = :id and state = 'shredded'
                        """)
                .bind("account", accountId)
                .bind("id", erasureId)
                .bind("at", utc(at))
                .execute();
    }

    /** Records erasures with their receipts (a bulk deletion's batch at once), in one JDBC batch. */
    void insertAll(Handle h, String accountId, List<ErasureReceipt> receipts, String erasedBy) {
        if (receipts.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into erasures (account_id, erasure_id, subject_id, request_id, erased_at, erased_by,
                                      state, purged_at, receipt)
                values (:account, :id, :subject, :request, :at, :by, :state, :purged, :receipt)
                """);
        for (var r : receipts)
            batch.bind("account", accountId)
                    .bind("id", r.erasureId())
                    .bind("subject", r.profileId())
                    .bind("request", r.requestId())
                    .bind("at", utc(r.erasedAt()))
                    .bind("by", erasedBy)
                    .bind("state", r.state())
                    .bind("purged", r.purgedAt() == null ? null : utc(r.purgedAt()))
                    .bind("receipt", body(r))
                    .add();
        batch.execute();
    }

    /** {@link #ofSubject} for many subjects (one query): subject → their erasure. */
    Map<String, ErasureReceipt> ofSubjects(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        var out = new HashMap<String, ErasureReceipt>();
        if (subjectIds.isEmpty()) return out;
        h.createQuery("select * from erasures where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", dev.lethe.storage.Ids.uuids(subjectIds))
                .map(ErasureStore::receipt)
                .forEach(r -> out.put(r.profileId(), r));
        return out;
    }

    /** {@link #markPurged} for many erasures (one statement). */
    void markPurgedAll(Handle h, String accountId, java.util.Collection<String> erasureIds, Instant at) {
        if (erasureIds.isEmpty()) return;
        h.createUpdate("""
                        update erasures set state = 'purged', purged_at = :at
                        where account_id = :account and erasure_id in (<ids>) and state = 'shredded'
                        """)
                .bind("account", accountId)
                .bindList("ids", dev.lethe.storage.Ids.uuids(erasureIds))
                .bind("at", utc(at))
                .execute();
    }

    /** Erasures of every account whose purge has not finished, oldest id first. */
    List<Pending> pending(Handle h, int limit) {
        return h.createQuery("select account_id, erasure_id, subject_id from erasures where state = 'shredded'"
                        + " order by account_id, erasure_id limit " + limit)
                .map((rs, ctx) -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /**
     * What a person holds, per table of the registry, with their values per category: the
     * receipt's counts. One statement (a {@code union all} built from the registry), so the
     * shredding transaction, which holds the person's lock, pays one round trip for them.
     */
    record Census(Map<SubjectTable, Integer> rows, Map<String, Integer> valuesByCategory) {}

    /** The statement of {@link #census}: the values by category first, then each other table. */
    private static final String CENSUS = censusQuery();

    private static String censusQuery() {
        var sql = new StringBuilder(
                "select cast(null as varchar(64)) as tbl, category, count(*) as n from personal_values"
                        + " where account_id = :account and subject_id = :subject group by category");
        for (var table : SubjectTable.values()) {
            if (table == SubjectTable.PERSONAL_VALUES) continue;
            sql.append(" union all select '")
                    .append(table.table())
                    .append("', null, count(*) from ")
                    .append(table.table())
                    .append(" where account_id = :account and subject_id = :subject");
        }
        return sql.toString();
    }

    Census census(Handle h, String accountId, String subjectId) {
        var rows = new EnumMap<SubjectTable, Integer>(SubjectTable.class);
        var byCategory = new TreeMap<String, Integer>();
        var tables = new HashMap<String, SubjectTable>();
        for (var t : SubjectTable.values()) tables.put(t.table(), t);
        rows.put(SubjectTable.PERSONAL_VALUES, 0);
        h.createQuery(CENSUS)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map((rs, ctx) -> {
                    String table = rs.getString(1);
                    int n = rs.getInt(3);
                    if (table == null) {
                        byCategory.put(rs.getString(2), n);
                        rows.merge(SubjectTable.PERSONAL_VALUES, n, Integer::sum);
                    } else {
                        rows.put(tables.get(table), n);
                    }
                    return n;
                })
                .list();
        return new Census(rows, byCategory);
    }

    /** {@link #census} for many people at once (a bulk deletion's batch, locked): subject → census. */
    Map<String, Census> censuses(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        var out = new HashMap<String, Census>();
        for (String s : subjectIds) {
            var rows = new EnumMap<SubjectTable, Integer>(SubjectTable.class);
            for (var t : SubjectTable.values()) rows.put(t, 0);
            out.put(s, new Census(rows, new TreeMap<>()));
        }
        var tables = new HashMap<String, SubjectTable>();
        for (var t : SubjectTable.values()) tables.put(t.table(), t);
        h.createQuery(CENSUSES)
                .bind("account", accountId)
                .bindList("subjects", dev.lethe.storage.Ids.uuids(subjectIds))
                .map((rs, ctx) -> {
                    var census = out.get(rs.getString(1));
                    if (census == null) return 0;
                    String table = rs.getString(2);
                    int n = rs.getInt(4);
                    if (table == null) {
                        census.valuesByCategory().put(rs.getString(3), n);
                        census.rows().merge(SubjectTable.PERSONAL_VALUES, n, Integer::sum);
                    } else {
                        census.rows().put(tables.get(table), n);
                    }
                    return n;
                })
                .list();
        return out;
    }

    /** The statement of {@link #censuses}: {@link #CENSUS} by subject for a set of them. */
    private static final String CENSUSES = censusesQuery();

    private static String censusesQuery() {
        String where = " where account_id = :account and subject_id in (<subjects>) group by subject_id";
        var sql = new StringBuilder("select subject_id, cast(null as varchar(64)) as tbl, category, count(*) as n"
                + " from personal_values" + where + ", category");
        for (var table : SubjectTable.values()) {
            if (table == SubjectTable.PERSONAL_VALUES) continue;
            sql.append(" union all select subject_id, '")
                    .append(table.table())
                    .append("', null, count(*) from ")
                    .append(table.table())
                    .append(where);
        }
        return sql.toString();
    }

    /** The identifiers of many people (kind and blind index), as the suppression list takes them. */
    Map<String, List<dev.lethe.subjects.Suppressions.Entry>> identifiersOf(
            Handle h, String accountId, java.util.Collection<String> subjectIds) {
        var out = new HashMap<String, List<dev.lethe.subjects.Suppressions.Entry>>();
        h.createQuery("""
                        select subject_id, kind, blind_index from identifiers
                        where account_id = :account and subject_id in (<subjects>)
                        order by subject_id, kind, collected_at desc, created_at desc, blind_index
                        """)
                .bind("account", accountId)
                .bindList("subjects", dev.lethe.storage.Ids.uuids(subjectIds))
                .map((rs, ctx) -> {
                    String subject = rs.getString(1);
                    String index = rs.getString(3);
                    dev.lethe.subjects.IdentifierKind.ofWireName(rs.getString(2))
                            .ifPresent(kind -> out.computeIfAbsent(subject, k -> new java.util.ArrayList<>())
                                    .add(new dev.lethe.subjects.Suppressions.Entry(kind, index)));
                    return 0;
                })
                .list();
        return out;
    }

    /** Whether the account exists (a journal entry may name one a restored backup does not have). */
    boolean accountExists(Handle h, String accountId) {
        return h.createQuery("select count(*) from accounts where account_id = :account")
                        .bind("account", accountId)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    private static String body(ErasureReceipt r) {
        try {
            return JSON.writeValueAsString(new Body(r.tables(), r.held(), r.kept()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a receipt", e);
        }
    }

    private static ErasureReceipt receipt(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        Body body;
        try {
            body = JSON.readValue(rs.getString("receipt"), new TypeReference<Body>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored receipt does not read", e);
        }
        return new ErasureReceipt(
                rs.getString("erasure_id"),
                rs.getString("subject_id"),
                rs.getString("request_id"),
                instant(rs, "erased_at"),
                rs.getString("state"),
                rs.getObject("purged_at") == null ? null : instant(rs, "purged_at"),
                body.tables(),
                body.held(),
                body.kept(),
                ErasureReceipt.STATISTICS_KEPT);
    }
}
