package dev.lethe.profiles;

import dev.lethe.registry.CustomField;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.NewValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/**
 * The blind indexes profiles are filtered by: tags and values of filterable custom fields. Lists
 * match them without decrypting anything; the values themselves stay sealed in personal values.
 * Writers hold the profile's lock (docs/locks.md).
 */
public final class ProfileIndexes {

    private final SubjectDirectory subjects;
    private final ProfileStore store;

    public ProfileIndexes(SubjectDirectory subjects, ProfileStore store) {
        this.subjects = subjects;
        this.store = store;
    }

    /** Values of a filterable custom field match as the field normalises them (text case-insensitively). */
    String fieldIndex(String accountId, CustomField field, String value) {
        return subjects.blindIndex(
                accountId, IdentifierKind.EXTERNAL_ID, "field:" + field.key() + "=" + field.normalise(value));
    }

    /** Tags match case-insensitively: the index is of the trimmed, lower-cased tag. */
    String tagIndex(String accountId, String tag) {
        return subjects.blindIndex(
                accountId, IdentifierKind.EXTERNAL_ID, "tag:" + tag.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * Indexes a profile's value of a filterable custom field, replacing the one held unless that
     * was collected later. Of two collected at the same instant the one written last wins, as in
     * the profile view (the subject's lock orders its writers).
     */
    void indexField(
            Handle h,
            String accountId,
            String profileId,
            CustomField field,
            String value,
            String category,
            Instant at) {
        var held = store.fieldValueCollectedAt(h, accountId, profileId, field.key());
        if (held.isPresent() && held.get().isAfter(at)) return;
        store.deleteFieldValue(h, accountId, profileId, field.key());
        store.insertFieldValue(h, accountId, profileId, field.key(), fieldIndex(accountId, field, value), category, at);
    }

    /**
     * {@link #indexField} for profiles made in this transaction, which hold no index yet: their
     * values' indexes are written together. {@code values} are the new profiles' values; those of
     * filterable custom fields are indexed.
     */
    void indexNew(Handle h, String accountId, dev.lethe.registry.Policy policy, List<NewValue> values) {
        var rows = new ArrayList<ProfileStore.NewFieldValue>();
        for (var v : values) {
            if (!v.field().startsWith("traits.")) continue;
            var custom = policy.customFields().get(v.field().substring("traits.".length()));
            if (custom != null && custom.filterable() && v.field().equals(custom.field()))
                rows.add(new ProfileStore.NewFieldValue(
                        v.subjectId(),
                        custom.key(),
                        fieldIndex(accountId, custom, v.value().value()),
                        v.category(),
                        v.collectedAt()));
        }
        store.insertFieldValues(h, accountId, rows);
    }

    /** Removes a profile's index of a filterable custom field (its value was removed). */
    void unindexField(Handle h, String accountId, String profileId, CustomField field) {
        store.deleteFieldValue(h, accountId, profileId, field.key());
    }

    /** Marks a profile as carrying a tag; no-op if it carries it already. */
    void addTag(Handle h, String accountId, String profileId, String tag, String category, Instant at) {
        String index = tagIndex(accountId, tag);
        if (!store.hasTag(h, accountId, index, profileId))
            store.insertTag(h, accountId, index, profileId, category, at);
    }

    void removeTag(Handle h, String accountId, String profileId, String tag) {
        store.removeTag(h, accountId, tagIndex(accountId, tag), profileId);
    }

    /**
     * Before a merge moves the field indexes: per field only the later value stays, as the
     * profile view shows it.
     */
    void dropSupersededFieldValues(Handle h, String accountId, String from, String to) {
        store.deleteFieldValuesOutdatedBy(h, accountId, from, to);
        store.deleteFieldValuesReplacedBy(h, accountId, from, to);
    }

    /** Before a merge moves the tags: one row per tag stays. */
    void dropDuplicateTags(Handle h, String accountId, String from, String to) {
        store.deleteTagsCarriedBy(h, accountId, from, to);
    }
}
