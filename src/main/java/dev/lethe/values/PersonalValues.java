package dev.lethe.values;

import dev.lethe.crypto.Keyring;
import dev.lethe.storage.Ids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Storing and reading personal values: each is sealed under its subject's key on the way in and
 * opened on the way out, so plaintext exists only in memory.
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
            byte[] ciphertext = keyring.seal(
                    h, accountId, v.subjectId(), v.category(), v.value().value().getBytes(StandardCharsets.UTF_8));
            sealed.add(new SealedValue(
                    ids.next(),
                    v.subjectId(),
                    v.category(),
                    v.field(),
                    v.collectedAt(),
                    v.recordKind(),
                    v.recordId(),
                    ciphertext));
        }
        store.insert(h, accountId, sealed);
    }

    /** Every value of a subject, opened, oldest first. */
    public List<StoredValue> ofSubject(Handle h, String accountId, String subjectId) {
        return store.bySubject(h, accountId, subjectId).stream()
                .map(v -> open(h, accountId, v))
                .toList();
    }

    /**
     * The values of these records, opened. Values of a subject whose key was destroyed are left
     * out: nobody can read them any more.
     */
    public List<StoredValue> ofRecords(Handle h, String accountId, List<String> recordIds) {
        var out = new ArrayList<StoredValue>();
        var destroyed = new java.util.HashSet<String>();
        for (var v : store.byRecords(h, accountId, recordIds)) {
            if (destroyed.contains(v.subjectId())) continue;
            try {
                out.add(open(h, accountId, v));
            } catch (dev.lethe.crypto.SubjectKeyDestroyed e) {
                destroyed.add(v.subjectId());
            }
        }
        return out;
    }

    /**
     * The latest value of each of these fields for each of these subjects, opened (subject →
     * field → value). Subjects whose key was destroyed have none.
     */
    public java.util.Map<String, java.util.Map<String, Sensitive>> latest(
            Handle h, String accountId, List<String> subjectIds, List<String> fields) {
        var out = new java.util.HashMap<String, java.util.Map<String, Sensitive>>();
        var destroyed = new java.util.HashSet<String>();
        for (var v : store.bySubjectsAndFields(h, accountId, subjectIds, fields)) { // oldest first
            if (destroyed.contains(v.subjectId())) continue;
            try {
                out.computeIfAbsent(v.subjectId(), s -> new java.util.HashMap<>())
                        .put(v.field(), open(h, accountId, v).value());
            } catch (dev.lethe.crypto.SubjectKeyDestroyed e) {
                destroyed.add(v.subjectId());
                out.remove(v.subjectId());
            }
        }
        return out;
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
                new Sensitive(new String(
                        keyring.open(h, accountId, v.subjectId(), v.category(), v.ciphertext()),
                        StandardCharsets.UTF_8)));
    }

    /**
     * Moves every value of one subject to another, re-sealed under the receiving subject's key
     * (a visitor joining a profile, two profiles merging). Returns how many moved.
     */
    public int move(Handle h, String accountId, String fromSubject, String toSubject) {
        var moved = new ArrayList<SealedValue>();
        for (var v : store.bySubject(h, accountId, fromSubject)) {
            byte[] plaintext = keyring.open(h, accountId, fromSubject, v.category(), v.ciphertext());
            moved.add(v.withSubject(toSubject, keyring.seal(h, accountId, toSubject, v.category(), plaintext)));
        }
        store.reassign(h, accountId, moved);
        return moved.size();
    }

    /** Deletes the subject's values of one field whose plaintext is one of {@code texts}; returns how many. */
    public int deleteMatching(Handle h, String accountId, String subjectId, String field, java.util.Set<String> texts) {
        var doomed = new ArrayList<SealedValue>();
        for (var v : store.bySubject(h, accountId, subjectId)) {
            if (!v.field().equals(field)) continue;
            String text = new String(
                    keyring.open(h, accountId, subjectId, v.category(), v.ciphertext()), StandardCharsets.UTF_8);
            if (texts.contains(text)) doomed.add(v);
        }
        store.delete(h, accountId, doomed);
        return doomed.size();
    }

    public int deleteOf(Handle h, String accountId, String subjectId) {
        return store.deleteBySubject(h, accountId, subjectId);
    }
}
