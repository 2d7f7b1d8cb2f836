package dev.lethe.profiles;

import dev.lethe.activity.GoverningRules;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.registry.Policy;
import dev.lethe.registry.RecordKind;
import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.subjects.SubjectTable;
import dev.lethe.values.PersonalValues;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Moves everything one subject holds to another and removes what is left of the first: a
 * visitor joining a profile, or two profiles merging. Driven by {@link SubjectTable}, so every
 * table that refers to a person is handled (the switch does not compile without a case for each).
 * The caller holds both subjects' locks (docs/locks.md).
 */
public final class ProfileMerge {

    private final SubjectStore subjects;
    private final PersonalValues values;
    private final ProfileIndexes indexes;

    public ProfileMerge(SubjectStore subjects, PersonalValues values, ProfileIndexes indexes) {
        this.subjects = subjects;
        this.values = values;
        this.indexes = indexes;
    }

    /**
     * Moves everything of {@code from} to {@code into}, a subject of type {@code intoType}; what
     * moved then follows the rules the policy gives that type.
     */
    Merged merge(Handle h, String accountId, Policy policy, Subject from, String into, String intoType) {
        String source = from.subjectId();
        int movedValues = 0;
        int movedActivity = 0;
        int movedIdentifiers = 0;
        for (var table : SubjectTable.values()) {
            int rows = switch (table) {
                // an erased person (keys destroyed, rows not yet purged) is never merged, either way
                case ERASURES -> {
                    if (subjects.countRows(h, table, accountId, source) > 0)
                        throw new SubjectKeyDestroyed(accountId, source);
                    if (subjects.countRows(h, table, accountId, into) > 0)
                        throw new SubjectKeyDestroyed(accountId, into);
                    yield 0;
                }
                // a hold on the person holds the survivor, who now holds the person's data; the
                // person's requests (a restriction among them) follow them too;
                // the ledger is the survivor's now: its latest answer per purpose, whoever gave it, decides
                case IDENTIFIERS,
                        EVENTS,
                        SESSIONS,
                        MESSAGES,
                        CONVERSATIONS,
                        GOAL_HITS,
                        LEGAL_HOLDS,
                        CONSENTS,
                        CONSENT_PURPOSES,
                        REQUESTS -> subjects.moveRows(h, table, accountId, source, into);
                // sealed under the source's keys, which go to the survivor with the values below
                case OUTBOX -> subjects.moveRows(h, table, accountId, source, into);
                // the values stay sealed as they are: the source's keys go to the survivor with
                // them (ownership moves, nothing is decrypted or re-sealed)
                case PERSONAL_VALUES -> values.move(h, accountId, source, into);
                case FIELD_VALUES -> {
                    indexes.dropSupersededFieldValues(h, accountId, source, into);
                    yield subjects.moveRows(h, table, accountId, source, into);
                }
                case PROFILE_TAGS -> {
                    indexes.dropDuplicateTags(h, accountId, source, into);
                    yield subjects.moveRows(h, table, accountId, source, into);
                }
                case CONSENT_MINORS -> dev.lethe.consent.Consents.mergeMinor(h, accountId, source, into);
                // the survivor is in every export the source was in (once per export): erasing
                // the survivor withdraws those files
                case EXPORT_SUBJECTS -> {
                    h.createUpdate("delete from export_subjects where account_id = :a and subject_id = :from"
                                    + " and job_id in (select job_id from export_subjects"
                                    + " where account_id = :a and subject_id = :into)")
                            .bind("a", accountId)
                            .bind("from", source)
                            .bind("into", into)
                            .execute();
                    yield subjects.moveRows(h, table, accountId, source, into);
                }
                // handed over with the values just above: the survivor owns them now
                case SUBJECT_KEYS -> 0;
                case SUBJECTS -> {
                    subjects.seen(h, accountId, into, from.firstSeenAt(), from.lastSeenAt());
                    yield subjects.delete(h, accountId, source) ? 1 : 0;
                }
            };
            switch (table) {
                case PERSONAL_VALUES -> movedValues = rows;
                case EVENTS, SESSIONS, MESSAGES -> movedActivity += rows;
                case IDENTIFIERS -> movedIdentifiers = rows;
                default -> {}
            }
        }
        relabel(h, accountId, policy, from.subjectType(), into, intoType);
        return new Merged(into, source, movedValues, movedActivity, movedIdentifiers);
    }

    /** Kinds of record whose rule the policy may choose by the person's type. */
    private static final List<RecordKind> BY_SUBJECT_TYPE =
            List.of(RecordKind.EVENT, RecordKind.SESSION, RecordKind.SESSION_SUMMARY, RecordKind.PROFILE);

    /** Tables whose rows carry the rule that governs them (docs/storage.md). */
    private static final List<SubjectTable> RULED =
            List.of(SubjectTable.EVENTS, SubjectTable.SESSIONS, SubjectTable.GOAL_HITS, SubjectTable.PERSONAL_VALUES);

    /**
     * A visitor's events that join a profile are the profile's events from then on: rows the
     * source's type's rule governed move to the rule of the survivor's type (an anonymous visit
     * kept 30 days becomes a customer's visit kept as the profile's rule says). Their anchors stay:
     * for these kinds every rule counts from the row's own collection.
     */
    private void relabel(Handle h, String accountId, Policy policy, String fromType, String into, String intoType) {
        if (fromType.equals(intoType)) return;
        for (var kind : BY_SUBJECT_TYPE) {
            var before = GoverningRules.forSubject(policy, kind, fromType);
            var after = GoverningRules.forSubject(policy, kind, intoType);
            if (before.isEmpty()
                    || after.isEmpty()
                    || before.get().name().equals(after.get().name())) continue;
            for (var table : RULED) {
                subjects.relabelRule(
                        h,
                        table,
                        accountId,
                        into,
                        before.get().name(),
                        after.get().name());
            }
        }
    }
}
