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

    /**
     * {@link #purge} for many erasures at once (a bulk deletion's batch). People with nothing kept
     * (no legal hold, no rule {@code after: erased}) are purged together: their values and events
     * in bounded set-based batches, then the rest of their rows and their own rows in one
     * transaction that marks their erasures purged, under their locks in id order. The others go
     * one by one through {@link #purge}. Can be run again, like {@link #purge}.
     */
    void purgeAll(String accountId, List<ErasureReceipt> receipts) {
        var plain = new java.util.TreeMap<String, ErasureReceipt>(); // subject → receipt, in the lock order
        for (var r : receipts) {
            if (r.held().isEmpty() && r.kept().isEmpty()) plain.put(r.profileId(), r);
            else purge(accountId, r);
        }
        if (plain.isEmpty()) return;
        var people = List.copyOf(plain.keySet());
        while (batchAll(accountId, people, "value_id", "personal_values") == BATCH) {}
        while (batchAll(accountId, people, "event_id", "events") == BATCH) {}
        transactions.useTransaction(h -> {
            var locked = subjects.lockNamed(h, accountId, people);
            removal.removeAll(
                    h,
                    accountId,
                    people.stream().filter(p -> locked.get(p) != null).toList());
            // one statement for the records and one batch for the audit entries, one entry each
            store.markPurgedAll(
                    h,
                    accountId,
                    plain.values().stream().map(ErasureReceipt::erasureId).toList(),
                    clock.instant());
            audit.appendAll(
                    h,
                    accountId,
                    plain.values().stream()
                            .map(r -> AuditEvent.ok(
                                    accountId,
                                    Actor.SYSTEM,
                                    "erasure.purge",
                                    List.of("profile:" + r.profileId(), "erasure:" + r.erasureId()),
                                    Map.of()))
                            .toList());
        });
    }

    /** Deletes up to {@link #BATCH} rows of these people from one table; how many. */
    private int batchAll(String accountId, List<String> people, String idColumn, String table) {
        return transactions.inTransaction(h -> {
            var locked = subjects.lockNamed(h, accountId, people);
            var present = people.stream().filter(p -> locked.get(p) != null).toList();
            if (present.isEmpty()) return 0;
            // the table and column names are this class's constants, never input
            String where = "account_id = :account and subject_id in (<subjects>)";
            var rowIds = h.createQuery("select " + idColumn + " from " + table + " where " + where + " limit " + BATCH)
                    .bind("account", accountId)
                    .bindList("subjects", dev.lethe.storage.Ids.uuids(present))
                    .mapTo(String.class)
                    .list();
            if (rowIds.isEmpty()) return 0;
            h.createUpdate("delete from " + table + " where " + where + " and " + idColumn + " in (<ids>)")
                    .bind("account", accountId)
                    .bindList("subjects", dev.lethe.storage.Ids.uuids(present))
                    .bindList("ids", dev.lethe.storage.Ids.uuids(rowIds))
                    .execute();
            return rowIds.size();
        });
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
