package dev.lethe.erasure;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Erasure records in SQL (table {@code erasures}, V21): the receipt's header in columns, its
 * tables and held categories as a JSON text (counts, ids and the hold's reason only).
 */
final class ErasureStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An erasure whose rows are not purged yet. */
    record Pending(String accountId, String erasureId, String subjectId) {}

    private record Body(List<ErasureReceipt.TableRows> tables, List<ErasureReceipt.HeldCategory> held) {}

    void insert(Handle h, String accountId, ErasureReceipt r, String erasedBy) {
        h.createUpdate("""
                        insert into erasures (account_id, erasure_id, subject_id, request_id, erased_at, erased_by,
                                              state, purged_at, receipt)
                        values (:account, :id, :subject, :request, :at, :by, :state, :purged, :receipt)
                        """)
                .bind("account", accountId)
                .bind("id", r.erasureId())
                .bind("subject", r.profileId())
                .bind("request", r.requestId())
                .bind("at", utc(r.erasedAt()))
                .bind("by", erasedBy)
                .bind("state", r.state())
                .bind("purged", r.purgedAt() == null ? null : utc(r.purgedAt()))
                .bind("receipt", body(r))
                .execute();
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

    /** Erasures of every account whose purge has not finished, oldest id first. */
    List<Pending> pending(Handle h, int limit) {
        return h.createQuery("select account_id, erasure_id, subject_id from erasures where state = 'shredded'"
                        + " order by account_id, erasure_id limit " + limit)
                .map((rs, ctx) -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** The categories the subject has values of. */
    List<String> categoriesOf(Handle h, String accountId, String subjectId) {
        return h.createQuery("select distinct category from personal_values"
                        + " where account_id = :account and subject_id = :subject order by category")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .mapTo(String.class)
                .list();
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
            return JSON.writeValueAsString(new Body(r.tables(), r.held()));
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
                ErasureReceipt.STATISTICS_KEPT);
    }
}
