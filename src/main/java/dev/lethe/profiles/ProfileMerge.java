package dev.lethe.profiles;

import dev.lethe.subjects.Subject;
import dev.lethe.subjects.SubjectStore;
import dev.lethe.subjects.SubjectTable;
import dev.lethe.values.PersonalValues;
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

    Merged merge(Handle h, String accountId, Subject from, String into) {
        String source = from.subjectId();
        int movedValues = 0;
        int movedActivity = 0;
        int movedIdentifiers = 0;
        for (var table : SubjectTable.values()) {
            int rows = switch (table) {
                case IDENTIFIERS -> subjects.moveIdentifiers(h, accountId, source, into);
                // the values stay sealed as they are: the source's keys go to the survivor with
                // them (ownership moves, nothing is decrypted or re-sealed)
                case PERSONAL_VALUES -> values.move(h, accountId, source, into);
                case EVENTS, SESSIONS, MESSAGES, CONVERSATIONS, GOAL_HITS ->
                    subjects.moveRows(h, table, accountId, source, into);
                case FIELD_VALUES -> {
                    indexes.moveFieldValues(h, accountId, source, into);
                    yield 0;
                }
                case PROFILE_TAGS -> {
                    indexes.moveTags(h, accountId, source, into);
                    yield 0;
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
        return new Merged(into, source, movedValues, movedActivity, movedIdentifiers);
    }
}
