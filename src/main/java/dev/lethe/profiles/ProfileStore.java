package dev.lethe.profiles;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * What only profiles keep beside their subjects: the list of identified profiles, tags and the
 * indexed values of filterable custom fields (both as blind indexes). Methods run on the
 * caller's handle, which holds the profile's lock when it writes (docs/locks.md).
 */
public interface ProfileStore {

    /** Identified profiles matching the filter, in its order. */
    List<ProfileFilter.Listed> list(Handle h, String accountId, ProfileFilter filter);

    /** When the indexed value of a profile's custom field was collected, if one is indexed. */
    Optional<Instant> fieldValueCollectedAt(Handle h, String accountId, String subjectId, String fieldKey);

    void deleteFieldValue(Handle h, String accountId, String subjectId, String fieldKey);

    /**
     * Indexes a profile's value of a custom field (by blind index), with the sequence number of
     * the value it indexes, so that of two values collected at the same instant the later
     * written one stands, as in the profile view.
     */
    void insertFieldValue(
            Handle h,
            String accountId,
            String subjectId,
            String fieldKey,
            String valueIndex,
            String category,
            Instant collectedAt);

    /** A custom field's index of a new profile's value: {@link #insertFieldValue}'s arguments. */
    record NewFieldValue(String subjectId, String fieldKey, String valueIndex, String category, Instant collectedAt) {}

    /** {@link #insertFieldValue} of many new profiles' values, in one batch of statements. */
    void insertFieldValues(Handle h, String accountId, java.util.List<NewFieldValue> values);

    /** A merge: deletes the source's field values that the target holds a later value of. */
    void deleteFieldValuesOutdatedBy(Handle h, String accountId, String fromSubject, String toSubject);

    /** A merge: deletes the target's field values of fields the source still holds (later) ones of. */
    void deleteFieldValuesReplacedBy(Handle h, String accountId, String fromSubject, String toSubject);

    boolean hasTag(Handle h, String accountId, String tagIndex, String subjectId);

    /**
     * Marks a profile as carrying a tag (by its blind index), with the tag value's category and
     * collection time so retention cuts the row with the value.
     */
    void insertTag(Handle h, String accountId, String tagIndex, String subjectId, String category, Instant collectedAt);

    boolean removeTag(Handle h, String accountId, String tagIndex, String subjectId);

    /** A merge: deletes the source's tags the target carries already. */
    void deleteTagsCarriedBy(Handle h, String accountId, String fromSubject, String toSubject);
}
