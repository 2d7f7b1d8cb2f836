package dev.lethe.subjects;

import dev.lethe.crypto.Keyring;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions.Retry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final Suppressions suppressions = new Suppressions();

    public SubjectDirectory(SubjectStore store, Keyring keyring, Ids ids, Clock clock) {
        this.store = store;
        this.keyring = keyring;
        this.ids = ids;
        this.clock = clock;
    }

    public SubjectStore store() {
        return store;
    }

    /** The suppression list of erased people's identifiers. */
    public Suppressions suppressions() {
        return suppressions;
    }

    /** The account's blind index of an already normalised identifier, as hex. */
    public String blindIndex(String accountId, IdentifierKind kind, String normalised) {
        return HexFormat.of().formatHex(keyring.blindIndex(accountId, kind.wireName(), normalised));
    }

    /** A new subject, with its key, first seen at {@code seenAt}. */
    public Subject create(Handle h, String accountId, String subjectType, boolean identified, Instant seenAt) {
        var subject = new Subject(accountId, ids.next(), subjectType, identified, clock.instant(), seenAt, seenAt);
        store.insert(h, subject);
        keyring.createSubjectKey(h, accountId, subject.subjectId());
        return subject;
    }

    /** A new subject id, for subjects made in a batch ({@link #createKeys}). */
    public String newId() {
        return ids.next();
    }

    /** The keys of subjects made in a batch (their rows are inserted by the caller). */
    public void createKeys(Handle h, String accountId, List<String> subjectIds) {
        keyring.createSubjectKeys(h, accountId, subjectIds);
    }

    public Optional<String> find(Handle h, String accountId, IdentifierKind kind, String blindIndex) {
        return store.subjectOf(h, accountId, kind, blindIndex);
    }

    /**
     * The first step of every write on people (docs/locks.md): locks the subjects' rows in id
     * order, then checks their keys. A subject that was deleted (merged away, erased) between
     * being looked up and being locked makes the transaction start over ({@link Retry}); one
     * whose key is destroyed is reported, so its data is refused rather than sealed under a key
     * that no longer exists.
     */
    public Locked lock(Handle h, String accountId, Collection<String> subjectIds) {
        var present = store.lock(h, accountId, subjectIds);
        for (String id : subjectIds) {
            if (!present.containsKey(id)) throw new Retry("a subject was deleted before it could be locked");
        }
        return new Locked(present, keyring.destroyed(h, accountId, subjectIds));
    }

    /**
     * {@link #lock} for subjects named by the caller (a profile id in a path) rather than found by
     * a lookup: those that do not exist are simply not among the locked ones.
     */
    public Locked lockNamed(Handle h, String accountId, Collection<String> subjectIds) {
        var present = store.lock(h, accountId, subjectIds);
        return new Locked(present, keyring.destroyed(h, accountId, present.keySet()));
    }

    /** Subjects locked for the rest of a transaction, and which of them were crypto-shredded. */
    public record Locked(Map<String, Subject> subjects, Set<String> erased) {
        public Subject get(String subjectId) {
            return subjects.get(subjectId);
        }

        public boolean isErased(String subjectId) {
            return erased.contains(subjectId);
        }
    }

    /**
     * Makes a new identified profile holding these identifiers (blind indexes, in the order that
     * decides which profile a set of identifiers means), unless another transaction is making or
     * has made one for them at the same moment. Each identifier is claimed for the new id first;
     * the database keeps the first claim and makes the others wait for it. When the deciding
     * identifier went to someone else, this transaction starts over ({@link Retry}) and then finds
     * that profile: two identifies of one new email make one profile.
     */
    public Subject createProfile(
            Handle h, String accountId, String subjectType, Map<IdentifierKind, String> indexes, Instant seenAt) {
        String id = ids.next();
        Instant now = clock.instant();
        var byKind = new EnumMap<IdentifierKind, Map<String, String>>(IdentifierKind.class);
        indexes.forEach((kind, index) ->
                byKind.computeIfAbsent(kind, k -> new HashMap<>()).put(index, id));
        byKind.forEach((kind, claims) -> store.claimIdentifiers(h, accountId, kind, claims, now));
        // without identifiers (a device joins it, its identifiers waiting for consent) there is
        // no claim to lose
        if (!indexes.isEmpty()) {
            var deciding = indexes.entrySet().iterator().next();
            var owner = store.subjectOf(h, accountId, deciding.getKey(), deciding.getValue());
            if (owner.isEmpty() || !owner.get().equals(id)) {
                throw new Retry("another transaction claimed the identifier first");
            }
        }
        var subject = new Subject(accountId, id, subjectType, true, now, seenAt, seenAt);
        store.insert(h, subject);
        keyring.createSubjectKey(h, accountId, id);
        return subject;
    }

    /**
     * Gives a subject the identifiers no one holds yet; returns those another subject holds
     * (a concurrent claim included), which stay that subject's.
     */
    public Set<IdentifierKind> claim(
            Handle h, String accountId, String subjectId, Map<IdentifierKind, String> indexes) {
        Instant now = clock.instant();
        var taken = new LinkedHashSet<IdentifierKind>();
        indexes.forEach((kind, index) -> {
            store.claimIdentifiers(h, accountId, kind, Map.of(index, subjectId), now);
            var owner = store.subjectOf(h, accountId, kind, index);
            if (owner.isPresent() && !owner.get().equals(subjectId)) taken.add(kind);
        });
        return taken;
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
            if (!found.containsKey(index)) claims.put(index, ids.next());
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
                throw new Retry("a new visitor's identifier was neither claimed nor found");
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
