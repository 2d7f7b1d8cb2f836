package dev.lethe.values;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** The personal_values table. Methods run on the caller's handle. */
public interface ValueStore {

    /** Writes many values in one batch. */
    void insert(Handle h, String accountId, List<SealedValue> values);

    /** Every value of a subject, oldest first. */
    List<SealedValue> bySubject(Handle h, String accountId, String subjectId);

    /** The values of these records (events, sessions, messages), in no particular record order. */
    /**
     * A page of a subject's values in (collected_at, value_id) order after that position (null:
     * from the first), leaving out values of records of {@code skippedRecordKinds}.
     */
    List<SealedValue> pageOfSubject(
            Handle h,
            String accountId,
            String subjectId,
            Collection<String> skippedRecordKinds,
            Instant afterAt,
            String afterId,
            int limit);

    /** The categories of which a subject holds values. */
    java.util.Set<String> categoriesOf(Handle h, String accountId, String subjectId);

    List<SealedValue> byRecords(Handle h, String accountId, List<String> recordIds);

    /** The values of these fields of these subjects, each subject's oldest first. */
    List<SealedValue> bySubjectsAndFields(Handle h, String accountId, List<String> subjectIds, List<String> fields);

    /**
     * Gives every value of one subject to another (a merge), ciphertexts untouched: each still
     * names the key that sealed it. Returns how many.
     */
    int moveSubject(Handle h, String accountId, String fromSubject, String toSubject);

    int deleteBySubject(Handle h, String accountId, String subjectId);

    /** Deletes the given values (by their keys). */
    void delete(Handle h, String accountId, List<SealedValue> values);
}
