package dev.lethe.subjects;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** Subjects and their identifiers (blind indexes). Methods run on the caller's handle. */
public interface SubjectStore {

    void insert(Handle h, Subject subject);

    /** Inserts many subjects in one batch. */
    void insertAll(Handle h, List<Subject> subjects);

    Optional<Subject> find(Handle h, String accountId, String subjectId);

    /** Those of these subject ids that exist (one query, no lock). */
    java.util.Set<String> existing(Handle h, String accountId, Collection<String> subjectIds);

    /**
     * Locks the rows of these subjects until the transaction ends, in id order (so two writers
     * locking overlapping sets cannot deadlock), and returns those that still exist: a subject
     * deleted by a transaction that committed while this one waited is not among them.
     */
    Map<String, Subject> lock(Handle h, String accountId, Collection<String> subjectIds);

    /** Widens the seen-range of a subject to include {@code from}..{@code to}. */
    void seen(Handle h, String accountId, String subjectId, Instant from, Instant to);

    void identify(Handle h, String accountId, String subjectId, String subjectType);

    boolean delete(Handle h, String accountId, String subjectId);

    /**
     * Adds many identifiers of one kind (blind index → subject) in one batch, each only if no
     * subject holds it yet: an identifier another transaction holds or is adding at the same
     * moment stays with that subject. Read the owners back with {@link #subjectsOf} to learn
     * which claims won.
     */
    void claimIdentifiers(
            Handle h, String accountId, IdentifierKind kind, Map<String, String> subjectByIndex, Instant at);

    /**
     * {@link #claimIdentifiers}, answering which claims won: the blind indexes now held by the
     * subject this call named for them. A claim lost to another transaction (which the database
     * made this one wait for) is not among them.
     */
    Set<String> claimIdentifiersWon(
            Handle h, String accountId, IdentifierKind kind, Map<String, String> subjectByIndex, Instant at);

    /** {@link #seen} for many subjects in one batch: subject id → {from, to}. */
    void seenAll(Handle h, String accountId, Map<String, Instant[]> ranges);

    Optional<String> subjectOf(Handle h, String accountId, IdentifierKind kind, String blindIndex);

    /** Subjects of many identifiers of one kind at once (blind index → subject id). */
    Map<String, String> subjectsOf(Handle h, String accountId, IdentifierKind kind, Collection<String> blindIndexes);

    void addIdentifier(
            Handle h, String accountId, IdentifierKind kind, String blindIndex, String subjectId, Instant at);

    /** Moves an identifier's collection time forward to {@code at}: an identify gave it again. */
    void identifierSeen(Handle h, String accountId, IdentifierKind kind, String blindIndex, Instant at);

    /** The subject type of each of these subjects that exists (id → type). */
    Map<String, String> typesOf(Handle h, String accountId, Collection<String> subjectIds);

    void pointIdentifier(Handle h, String accountId, IdentifierKind kind, String blindIndex, String subjectId);

    /** Gives every row of a table that refers to {@code fromSubject} to {@code toSubject}; returns how many. */
    int moveRows(Handle h, SubjectTable table, String accountId, String fromSubject, String toSubject);

    /**
     * Deletes every row of a table that refers to the subject (a removal: an erasure, or a
     * retention rule that removes a person); returns how many.
     */
    int deleteRows(Handle h, SubjectTable table, String accountId, String subjectId);

    /**
     * {@link #deleteRows}, except the rows of the kept categories, which stay (a legal hold keeps
     * them); for a table with a {@code category} column. Returns how many were deleted.
     */
    int deleteRowsExcept(
            Handle h, SubjectTable table, String accountId, String subjectId, Collection<String> keptCategories);

    /** How many rows of a table refer to the subject. */
    int countRows(Handle h, SubjectTable table, String accountId, String subjectId);

    /**
     * How many of the subject's rows of a table with a {@code category} column are of each of
     * these categories (category → rows; a category without rows is left out).
     */
    Map<String, Integer> countByCategory(
            Handle h, SubjectTable table, String accountId, String subjectId, Collection<String> categories);

    /** Gives a subject's rows of a table that one rule governed to another rule; returns how many. */
    int relabelRule(Handle h, SubjectTable table, String accountId, String subjectId, String fromRule, String toRule);

    /** Every identifier a subject holds, most recently given first within each kind. */
    List<HeldIdentifier> identifiersOf(Handle h, String accountId, String subjectId);

    /** How many identifiers of a kind a subject has (devices = visitor ids). */
    int countIdentifiers(Handle h, String accountId, String subjectId, IdentifierKind kind);

    int deleteIdentifiers(Handle h, String accountId, String subjectId);
}
