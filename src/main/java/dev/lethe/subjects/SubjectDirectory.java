package dev.lethe.subjects;

import dev.lethe.crypto.Keyring;
import dev.lethe.storage.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Finding and making data subjects. Every subject is born with its own key, and is found again
 * only through blind indexes of its normalised identifiers.
 */
public final class SubjectDirectory {

    private final SubjectStore store;
    private final Keyring keyring;
    private final Ids ids;
    private final Clock clock;

    public SubjectDirectory(SubjectStore store, Keyring keyring, Ids ids, Clock clock) {
        this.store = store;
        this.keyring = keyring;
        this.ids = ids;
        this.clock = clock;
    }

    public SubjectStore store() {
        return store;
    }

    /** The account's blind index of an already normalised identifier, as hex. */
    public String blindIndex(String accountId, IdentifierKind kind, String normalised) {
        return HexFormat.of().formatHex(keyring.blindIndex(accountId, kind.wireName(), normalised));
    }

    /** A new subject, with its key, first seen at {@code seenAt}. */
    public Subject create(Handle h, String accountId, String subjectType, boolean identified, Instant seenAt) {
        var subject = new Subject(accountId, ids.next("sub"), subjectType, identified, clock.instant(), seenAt, seenAt);
        store.insert(h, subject);
        keyring.createSubjectKey(h, accountId, subject.subjectId());
        return subject;
    }

    public Optional<String> find(Handle h, String accountId, IdentifierKind kind, String blindIndex) {
        return store.subjectOf(h, accountId, kind, blindIndex);
    }

    /**
     * The subject of each visitor (by blind index), making an anonymous one for each visitor not
     * seen before; {@code firstSeen} gives each new visitor's first-seen time.
     */
    public Map<String, String> visitors(
            Handle h, String accountId, String anonymousType, Map<String, Instant> firstSeen) {
        var found = new HashMap<>(store.subjectsOf(h, accountId, IdentifierKind.VISITOR, firstSeen.keySet()));
        var fresh = new java.util.ArrayList<Subject>();
        var freshIndexes = new java.util.LinkedHashMap<String, String>();
        Instant now = clock.instant();
        for (var e : firstSeen.entrySet()) {
            if (found.containsKey(e.getKey())) continue;
            var visitor =
                    new Subject(accountId, ids.next("sub"), anonymousType, false, now, e.getValue(), e.getValue());
            fresh.add(visitor);
            freshIndexes.put(e.getKey(), visitor.subjectId());
        }
        // New visitors are written in three batches (subjects, keys, identifiers), not row by row.
        store.insertAll(h, fresh);
        keyring.createSubjectKeys(
                h, accountId, fresh.stream().map(Subject::subjectId).toList());
        store.addIdentifiers(h, accountId, IdentifierKind.VISITOR, freshIndexes, now);
        found.putAll(freshIndexes);
        return found;
    }
}
