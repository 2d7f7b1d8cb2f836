package dev.lethe.subjects;

import dev.lethe.crypto.Keyring;
import dev.lethe.jobs.JobFiles;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Removes a data subject — a visitor or a profile — with everything it holds, from every table:
 * what a retention rule that removes a person does (the person goes "with all it holds"), and
 * what a data-subject erasure does before it writes its receipt. Driven by {@link SubjectTable}
 * with a {@code switch} that has a case for each table, so a table added to the registry without
 * a removal path does not compile.
 *
 * <p>The keys go first: crypto-shredding makes every copy of every value unreadable (the database's
 * logs, backups), and the rows are deleted after. Categories under a legal hold survive: their keys
 * are kept under the hold's key and their value rows stay, so they still open until the hold is
 * released (docs/keys.md, "Legal holds"). Anonymous daily counts are not the person's and stay.
 * Deciding whom to remove, and writing the audit entry, are the caller's.
 */
public final class SubjectRemoval {

    private final SubjectStore subjects;
    private final Keyring keyring;

    public SubjectRemoval(SubjectStore subjects, Keyring keyring) {
        this.subjects = subjects;
        this.keyring = keyring;
    }

    /**
     * Removes the subject in the caller's transaction: its keys are destroyed (the categories of
     * {@code holdByCategory} kept under their hold's key), then its rows in every table are
     * deleted, its own row last. Removing a subject already removed removes nothing (all zeros;
     * values a hold kept are counted as kept again, since they are still there).
     * Caller holds the subject's lock (SubjectDirectory.lock) in this transaction.
     *
     * @param holdByCategory held category → id of the legal hold that keeps it (may be empty):
     *     values of these categories stay, and still open
     */
    public Removal remove(Handle h, String accountId, String subjectId, Map<String, String> holdByCategory) {
        // counted before the shred deletes them: a merge may have handed the subject other keys
        int keys = subjects.countRows(h, SubjectTable.SUBJECT_KEYS, accountId, subjectId);
        // with no key left (removed or shredded before) there is nothing to keep under a hold's key
        boolean keyDestroyed = keyring.shred(h, accountId, subjectId, keys == 0 ? Map.of() : holdByCategory);
        var deleted = new EnumMap<SubjectTable, Integer>(SubjectTable.class);
        for (var table : SubjectTable.values()) {
            int rows = switch (table) {
                case IDENTIFIERS,
                        EVENTS,
                        SESSIONS,
                        MESSAGES,
                        CONVERSATIONS,
                        GOAL_HITS,
                        FIELD_VALUES,
                        PROFILE_TAGS,
                        OUTBOX,
                        CONSENTS,
                        CONSENT_PURPOSES,
                        CONSENT_MINORS -> subjects.deleteRows(h, table, accountId, subjectId);
                // an erasure withdrew the exports holding the person in its own transaction
                // (Exports); a removal by retention destroys the key of any export file still
                // holding them, so no file yields the person after they are gone
                case EXPORT_SUBJECTS -> {
                    for (String job : h.createQuery(
                                    "select job_id from export_subjects where account_id = :a and subject_id = :s")
                            .bind("a", accountId)
                            .bind("s", subjectId)
                            .mapTo(String.class)
                            .list()) JobFiles.destroyKey(keyring, h, accountId, job);
                    yield subjects.deleteRows(h, table, accountId, subjectId);
                }
                // values of held categories stay, sealed as they are: they open through the keys
                // the shred just kept under their hold's key
                case PERSONAL_VALUES ->
                    subjects.deleteRowsExcept(h, table, accountId, subjectId, holdByCategory.keySet());
                // kept: SubjectTable.keptOnErasureBecause says why
                case LEGAL_HOLDS, ERASURES, REQUESTS -> 0;
                // destroyed by the shred above
                case SUBJECT_KEYS -> keys;
                // last: once it is gone, nothing refers to it any more
                case SUBJECTS -> subjects.delete(h, accountId, subjectId) ? 1 : 0;
            };
            deleted.put(table, rows);
        }
        return new Removal(subjectId, deleted, kept(h, accountId, subjectId, holdByCategory), keyDestroyed);
    }

    /**
     * {@link #remove} for many subjects with nothing kept (no hold), in set-based statements: a
     * bulk erasure's purge, one statement per table for the whole batch instead of one per person.
     * Keys still there are destroyed first (an erasure destroyed them already; a subject that
     * gained one meanwhile loses it here), then the rows of every table, the subjects' own last.
     * Caller holds the subjects' locks in this transaction.
     */
    public void removeAll(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return;
        var ids = dev.lethe.storage.Ids.uuids(subjectIds);
        for (String subjectId : h.createQuery("select distinct subject_id from subject_keys"
                        + " where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", ids)
                .mapTo(String.class)
                .list()) keyring.shred(h, accountId, subjectId, Map.of());
        for (var table : SubjectTable.values()) {
            switch (table) {
                case IDENTIFIERS,
                        EVENTS,
                        SESSIONS,
                        MESSAGES,
                        CONVERSATIONS,
                        GOAL_HITS,
                        FIELD_VALUES,
                        PROFILE_TAGS,
                        OUTBOX,
                        CONSENTS,
                        CONSENT_PURPOSES,
                        CONSENT_MINORS,
                        PERSONAL_VALUES -> deleteAll(h, table.table(), accountId, ids);
                // as in remove: the key of any export file still holding one of them is destroyed
                case EXPORT_SUBJECTS -> {
                    for (String job : h.createQuery("select distinct job_id from export_subjects"
                                    + " where account_id = :account and subject_id in (<subjects>)")
                            .bind("account", accountId)
                            .bindList("subjects", ids)
                            .mapTo(String.class)
                            .list()) JobFiles.destroyKey(keyring, h, accountId, job);
                    deleteAll(h, table.table(), accountId, ids);
                }
                // kept: SubjectTable.keptOnErasureBecause says why; keys went above
                case LEGAL_HOLDS, ERASURES, REQUESTS, SUBJECT_KEYS, SUBJECTS -> {}
            }
        }
        // last: once they are gone, nothing refers to them any more
        deleteAll(h, SubjectTable.SUBJECTS.table(), accountId, ids);
    }

    private static void deleteAll(Handle h, String table, String accountId, java.util.List<java.util.UUID> ids) {
        // the table name is one of the registry's constants, never input
        h.createUpdate("delete from " + table + " where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", ids)
                .execute();
    }

    /** Hold id → the subject's values still there because that hold keeps their category. */
    private Map<String, Integer> kept(
            Handle h, String accountId, String subjectId, Map<String, String> holdByCategory) {
        var out = new LinkedHashMap<String, Integer>();
        subjects.countByCategory(h, SubjectTable.PERSONAL_VALUES, accountId, subjectId, holdByCategory.keySet())
                .forEach((category, rows) -> out.merge(holdByCategory.get(category), rows, Integer::sum));
        return out;
    }
}
