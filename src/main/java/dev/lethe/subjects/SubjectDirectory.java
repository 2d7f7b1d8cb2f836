package dev.lethe.subjects;

import dev.lethe.crypto.Keyring;
import dev.lethe.storage.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
     *
     * <p>Two batches may meet the same new visitor at the same moment. Each claims the visitor's
     * identifier for a subject id of its own before making anything; the database keeps the first
     * claim, the other waits for it and reads the winner back. Only subjects whose claim won are
     * then made, with their keys, so a lost race leaves no orphan subject or key behind.
     */
    public Map<String, String> visitors(
            Handle h, String accountId, String anonymousType, Map<String, Instant> firstSeen) {
        var found = new HashMap<>(store.subjectsOf(h, accountId, IdentifierKind.VISITOR, firstSeen.keySet()));
        var claims = new HashMap<String, String>();
        for (var index : firstSeen.keySet()) {
            if (!found.containsKey(index)) claims.put(index, ids.next("sub"));
        }
        if (claims.isEmpty()) return found;
        Instant now = clock.instant();
        store.claimIdentifiers(h, accountId, IdentifierKind.VISITOR, claims, now);
        var owners = store.subjectsOf(h, accountId, IdentifierKind.VISITOR, claims.keySet());
        var born = new ArrayList<Subject>();
        for (var claim : claims.entrySet()) {
            String owner = owners.get(claim.getKey());
            if (owner == null) {
                // the winning claim was erased between our claim and this read: rare enough to
                // fail the batch (it changes nothing, the client may send it again)
                throw new IllegalStateException("a new visitor's identifier was neither claimed nor found");
            }
            if (owner.equals(claim.getValue())) {
                Instant seen = firstSeen.get(claim.getKey());
                born.add(new Subject(accountId, owner, anonymousType, false, now, seen, seen));
            }
        }
        // New visitors are written in batches (identifiers above, subjects and keys here), not row by row.
        store.insertAll(h, born);
        keyring.createSubjectKeys(
                h, accountId, born.stream().map(Subject::subjectId).toList());
        found.putAll(owners);
        return found;
    }
}
