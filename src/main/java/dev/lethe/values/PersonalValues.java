package dev.lethe.values;

import dev.lethe.crypto.Keyring;
import dev.lethe.crypto.SubjectKeyDestroyed;
import dev.lethe.storage.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Storing and reading personal values: each is sealed under its subject's key for its category on
 * the way in, and opened on the way out under the key its row names, so plaintext exists only in
 * memory.
 */
public final class PersonalValues {

    private final ValueStore store;
    private final Keyring keyring;
    private final Ids ids;

    public PersonalValues(ValueStore store, Keyring keyring, Ids ids) {
        this.store = store;
        this.keyring = keyring;
        this.ids = ids;
    }

    public void store(Handle h, String accountId, List<NewValue> values) {
        var sealed = new ArrayList<SealedValue>(values.size());
        for (var v : values) {
            String valueId = ids.next();
            var s = keyring.seal(
                    h,
                    accountId,
                    v.subjectId(),
                    v.category(),
                    valueId,
                    v.value().value().getBytes(StandardCharsets.UTF_8));
            sealed.add(new SealedValue(
                    valueId,
                    v.subjectId(),
                    v.category(),
                    v.field(),
                    v.collectedAt(),
                    v.recordKind(),
                    v.recordId(),
                    v.ruleKind(),
                    v.anchorAt(),
                    s.keyId(),
                    s.ciphertext()));
        }
        store.insert(h, accountId, sealed);
    }

    /** Which of these fields a subject holds a value of; nothing is opened. */
    public Set<String> fieldsHeld(Handle h, String accountId, String subjectId, Collection<String> fields) {
        var held = new HashSet<String>();
        for (var v : store.bySubjectsAndFields(h, accountId, List.of(subjectId), List.copyOf(fields)))
            held.add(v.field());
        return held;
    }

    /** Every value of a subject, opened, oldest first. */
    public List<StoredValue> ofSubject(Handle h, String accountId, String subjectId) {
        return store.bySubject(h, accountId, subjectId).stream()
                .map(v -> open(h, accountId, v))
                .toList();
    }

    /**
     * A page of a subject's values, opened, in (collected_at, value_id) order after {@code after}
     * (null: from the first), without the values of records of {@code skippedRecordKinds}: for
     * readers that walk everything a person holds without holding it all in memory. Values whose
     * key was destroyed are left out.
     */
    public List<StoredValue> pageOfSubject(
            Handle h,
            String accountId,
            String subjectId,
            Collection<String> skippedRecordKinds,
            StoredValue after,
            int limit) {
        var out = new ArrayList<StoredValue>();
        var page = store.pageOfSubject(
                h,
                accountId,
                subjectId,
                skippedRecordKinds,
                after == null ? null : after.collectedAt(),
                after == null ? null : after.valueId(),
                limit);
        for (var v : page) {
            try {
                out.add(open(h, accountId, v));
            } catch (SubjectKeyDestroyed e) {
                // unreadable by anyone: not part of what is held in the clear
            }
        }
        return out;
    }

    /**
     * Deletes every value a subject holds of these fields (a rectification replaces them); returns
     * how many. Nothing is opened.
     */
    public int deleteFields(Handle h, String accountId, String subjectId, Collection<String> fields) {
        var held = store.bySubjectsAndFields(h, accountId, List.of(subjectId), List.copyOf(fields));
        store.delete(h, accountId, held);
        return held.size();
    }

    /** The categories of which a subject holds values (nothing is opened). */
    public Set<String> categoriesOf(Handle h, String accountId, String subjectId) {
        return store.categoriesOf(h, accountId, subjectId);
    }

    /**
     * The values of these records, opened. Values whose key was destroyed are left out: nobody
     * can read them any more.
     */
    public List<StoredValue> ofRecords(Handle h, String accountId, List<String> recordIds) {
        var out = new ArrayList<StoredValue>();
        var destroyed = new HashSet<String>(); // key id and category: a hold may keep some categories
        for (var v : store.byRecords(h, accountId, recordIds)) {
            String keyAndCategory = v.keyId() + "|" + v.category();
            if (destroyed.contains(keyAndCategory)) continue;
            try {
                out.add(open(h, accountId, v));
            } catch (SubjectKeyDestroyed e) {
                destroyed.add(keyAndCategory);
            }
        }
        return out;
    }

    /**
     * The latest value of each of these fields for each of these subjects, opened (subject →
     * field → value). Subjects whose key was destroyed have none.
     */
    public Map<String, Map<String, Sensitive>> latest(
            Handle h, String accountId, List<String> subjectIds, List<String> fields) {
        // the latest sealed value of each subject's field (oldest first, so the last wins): only
        // those are opened, their keys loaded together
        var newest = new LinkedHashMap<String, Map<String, SealedValue>>();
        for (var v : store.bySubjectsAndFields(h, accountId, subjectIds, fields))
            newest.computeIfAbsent(v.subjectId(), s -> new HashMap<>()).put(v.field(), v);
        var keyIds = new HashSet<String>();
        newest.values().forEach(m -> m.values().forEach(v -> keyIds.add(v.keyId())));
        keyring.preload(h, accountId, keyIds);
        var out = new HashMap<String, Map<String, Sensitive>>();
        // opened from the keys in memory, on every core when there are many (an export's page);
        // what needs the database (a key gone, a hold's key) is opened below on this handle
        var entries = List.copyOf(newest.entrySet());
        var fromMemory = (entries.size() >= Keyring.PARALLEL_FROM ? entries.parallelStream() : entries.stream())
                .map(subject -> openedFromMemory(accountId, subject.getValue().values()))
                .toList();
        for (int i = 0; i < entries.size(); i++) {
            if (fromMemory.get(i) != null) out.put(entries.get(i).getKey(), fromMemory.get(i));
        }
        for (var subject : entries) {
            if (out.containsKey(subject.getKey())) continue;
            var opened = new HashMap<String, Sensitive>();
            try {
                for (var v : subject.getValue().values())
                    opened.put(v.field(), open(h, accountId, v).value());
            } catch (SubjectKeyDestroyed e) {
                continue; // a subject whose key was destroyed has none
            }
            out.put(subject.getKey(), opened);
        }
        return out;
    }

    /** A subject's values opened with keys in memory; null when one of them is not there. */
    private Map<String, Sensitive> openedFromMemory(String accountId, Collection<SealedValue> sealed) {
        var opened = new HashMap<String, Sensitive>();
        for (var v : sealed) {
            byte[] plain = keyring.openCached(accountId, v.keyId(), v.category(), v.valueId(), v.ciphertext());
            if (plain == null) return null;
            opened.put(v.field(), new Sensitive(new String(plain, StandardCharsets.UTF_8)));
        }
        return opened;
    }

    private StoredValue open(Handle h, String accountId, SealedValue v) {
        return new StoredValue(
                v.valueId(),
                v.subjectId(),
                v.category(),
                v.field(),
                v.collectedAt(),
                v.recordKind(),
                v.recordId(),
                v.ruleKind(),
                v.anchorAt(),
                new Sensitive(new String(plaintext(h, accountId, v), StandardCharsets.UTF_8)));
    }

    private byte[] plaintext(Handle h, String accountId, SealedValue v) {
        return keyring.open(h, accountId, v.keyId(), v.category(), v.valueId(), v.ciphertext());
    }

    /**
     * Moves every value of one subject to another (a visitor joining a profile, two profiles
     * merging): the keys that sealed them change owner and the rows change subject; no value is
     * decrypted or re-sealed. Returns how many values moved; {@link SubjectKeyDestroyed} when
     * either subject was shredded.
     */
    public int move(Handle h, String accountId, String fromSubject, String toSubject) {
        int keys = keyring.moveKeys(h, accountId, fromSubject, toSubject);
        int values = store.moveSubject(h, accountId, fromSubject, toSubject);
        // Values without a key to open them belong to a shredded subject: they are erased data,
        // not something to hand to another person.
        if (values > 0 && keys == 0) throw new SubjectKeyDestroyed(accountId, fromSubject);
        return values;
    }

    /** Deletes the subject's values of one field whose plaintext is one of {@code texts}; returns how many. */
    public int deleteMatching(Handle h, String accountId, String subjectId, String field, Set<String> texts) {
        var doomed = new ArrayList<SealedValue>();
        for (var v : store.bySubject(h, accountId, subjectId)) {
            if (!v.field().equals(field)) continue;
            if (texts.contains(new String(plaintext(h, accountId, v), StandardCharsets.UTF_8))) doomed.add(v);
        }
        store.delete(h, accountId, doomed);
        return doomed.size();
    }

    public int deleteOf(Handle h, String accountId, String subjectId) {
        return store.deleteBySubject(h, accountId, subjectId);
    }
}
