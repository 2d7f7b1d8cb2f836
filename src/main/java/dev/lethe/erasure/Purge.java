package dev.lethe.erasure;

import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.subjects.SubjectRemoval;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The physical half of an erasure: the rows of a person whose keys are destroyed are deleted. The
 * tables that grow with a person's activity (values, events) go in bounded batches, each its own
 * short transaction under the person's lock, so a person with a million events neither holds one
 * huge transaction nor blocks ingest for long; the rest, and the person's row, go last through
 * {@link SubjectRemoval} (values of categories a legal hold or a rule {@code after: erased} keeps
 * stay), in the transaction that marks the
 * erasure purged. Every step can be run again: a purge cut short is finished by running it again.
 */
public final class Purge {

    /** Rows deleted per transaction. */
    public static final int BATCH = 1000;

    private final Jdbi jdbi;
    private final Transactions transactions;
    private final SubjectDirectory subjects;
    private final SubjectRemoval removal;
    private final AuditLog audit;
    private final Clock clock;
    private final ErasureStore store = new ErasureStore();

    public Purge(
            Jdbi jdbi,
            Transactions transactions,
            SubjectDirectory subjects,
            SubjectRemoval removal,
            AuditLog audit,
            Clock clock) {
        this.jdbi = jdbi;
        this.transactions = transactions;
        this.subjects = subjects;
        this.removal = removal;
        this.audit = audit;
        this.clock = clock;
    }

    /** Deletes the erased person's rows and marks the erasure purged; the receipt as it now is. */
    ErasureReceipt purge(String accountId, ErasureReceipt receipt) {
        String subjectId = receipt.profileId();
        var holdByCategory = new LinkedHashMap<String, String>();
        receipt.held().forEach(c -> holdByCategory.put(c.category(), c.holdId()));
        receipt.kept().forEach(c -> holdByCategory.putIfAbsent(c.category(), c.holdId()));
        var kept = List.copyOf(holdByCategory.keySet());
        while (batch(accountId, subjectId, "value_id", "personal_values", kept) == BATCH) {}
        while (batch(accountId, subjectId, "event_id", "events", List.of()) == BATCH) {}
        transactions.useTransaction(h -> {
            var locked = subjects.lockNamed(h, accountId, List.of(subjectId));
            if (locked.get(subjectId) != null) removal.remove(h, accountId, subjectId, holdByCategory);
            store.markPurged(h, accountId, receipt.erasureId(), clock.instant());
            audit.append(
                    h,
                    AuditEvent.ok(
                            accountId,
                            Actor.SYSTEM,
                            "erasure.purge",
                            List.of("profile:" + subjectId, "erasure:" + receipt.erasureId()),
                            Map.of()));
        });
        return jdbi.withHandle(h -> store.find(h, accountId, receipt.erasureId()))
                .orElseThrow();
    }

    /** Deletes up to {@link #BATCH} rows of the person from one table; how many. */
    private int batch(String accountId, String subjectId, String idColumn, String table, List<String> keptCategories) {
        return transactions.inTransaction(h -> {
            var locked = subjects.lockNamed(h, accountId, List.of(subjectId));
            if (locked.get(subjectId) == null) return 0;
            return deleteSome(h, accountId, subjectId, idColumn, table, keptCategories);
        });
    }

    private static int deleteSome(
            Handle h, String accountId, String subjectId, String idColumn, String table, List<String> kept) {
        // the table and column names are this class's constants, never input
        String where = "account_id = :account and subject_id = :subject"
                + (kept.isEmpty() ? "" : " and category not in (<kept>)");
        var select = h.createQuery("select " + idColumn + " from " + table + " where " + where + " limit " + BATCH)
                .bind("account", accountId)
                .bind("subject", subjectId);
        if (!kept.isEmpty()) select.bindList("kept", kept);
        var rowIds = select.mapTo(String.class).list();
        if (rowIds.isEmpty()) return 0;
        var delete = h.createUpdate("delete from " + table + " where " + where + " and " + idColumn + " in (<ids>)")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bindList("ids", dev.lethe.storage.Ids.uuids(rowIds));
        if (!kept.isEmpty()) delete.bindList("kept", kept);
        delete.execute();
        return rowIds.size();
    }
}
