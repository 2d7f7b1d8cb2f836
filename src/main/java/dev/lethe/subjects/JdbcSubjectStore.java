package dev.lethe.subjects;

import static dev.lethe.storage.Timestamps.instant;
import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Subjects and identifiers in SQL. */
public final class JdbcSubjectStore implements SubjectStore {

    @Override
    public void insert(Handle h, Subject s) {
        h.createUpdate("""
                        insert into subjects
                          (account_id, subject_id, subject_type, identified, created_at, first_seen_at, last_seen_at)
                        values (:account, :subject, :type, :identified, :createdAt, :firstSeen, :lastSeen)
                        """)
                .bind("account", s.accountId())
                .bind("subject", s.subjectId())
                .bind("type", s.subjectType())
                .bind("identified", s.identified())
                .bind("createdAt", utc(s.createdAt()))
                .bind("firstSeen", utc(s.firstSeenAt()))
                .bind("lastSeen", utc(s.lastSeenAt()))
                .execute();
    }

    @Override
    public void insertAll(Handle h, List<Subject> subjects) {
        if (subjects.isEmpty()) return;
        if (subjects.size() >= BinaryCopy.MIN_ROWS && BinaryCopy.available(h)) {
            // an import's batch of new people: one COPY instead of a statement per subject
            var copy = new BinaryCopy(
                    "subjects",
                    List.of(
                            "account_id",
                            "subject_id",
                            "subject_type",
                            "identified",
                            "created_at",
                            "first_seen_at",
                            "last_seen_at"),
                    subjects.size());
            for (var s : subjects)
                copy.row()
                        .uuid(s.accountId())
                        .uuid(s.subjectId())
                        .text(s.subjectType())
                        .bool(s.identified())
                        .timestamp(s.createdAt())
                        .timestamp(s.firstSeenAt())
                        .timestamp(s.lastSeenAt());
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into subjects
                  (account_id, subject_id, subject_type, identified, created_at, first_seen_at, last_seen_at)
                values (:account, :subject, :type, :identified, :createdAt, :firstSeen, :lastSeen)
                """);
        for (var s : subjects) {
            batch.bind("account", s.accountId())
                    .bind("subject", s.subjectId())
                    .bind("type", s.subjectType())
                    .bind("identified", s.identified())
                    .bind("createdAt", utc(s.createdAt()))
                    .bind("firstSeen", utc(s.firstSeenAt()))
                    .bind("lastSeen", utc(s.lastSeenAt()))
                    .add();
        }
        batch.execute();
    }

    @Override
    public void claimIdentifiers(
            Handle h, String accountId, IdentifierKind kind, Map<String, String> subjectByIndex, Instant at) {
        if (subjectByIndex.isEmpty()) return;
        // "on conflict do nothing" waits for a concurrent transaction holding the same key and,
        // once it commits, leaves the row to it (PostgreSQL, and H2 in PostgreSQL mode alike).
        // Rows go in blind-index order, so two batches claiming the same identifiers wait on each
        // other in the same order and cannot deadlock.
        var batch = h.prepareBatch("""
                insert into identifiers (account_id, kind, blind_index, subject_id, created_at, collected_at)
                values (:account, :kind, :index, :subject, :at, :at)
                on conflict do nothing
                """);
        new TreeMap<>(subjectByIndex)
                .forEach((index, subject) -> batch.bind("account", accountId)
                        .bind("kind", kind.wireName())
                        .bind("index", index)
                        .bind("subject", subject)
                        .bind("at", utc(at))
                        .add());
        batch.execute();
    }

    @Override
    public Set<String> claimIdentifiersWon(
            Handle h, String accountId, IdentifierKind kind, Map<String, String> subjectByIndex, Instant at) {
        if (subjectByIndex.isEmpty()) return Set.of();
        var sorted = new TreeMap<>(subjectByIndex);
        if (sorted.size() < BinaryCopy.MIN_ROWS || !BinaryCopy.available(h)) {
            claimIdentifiers(h, accountId, kind, sorted, at);
            var owners = subjectsOf(h, accountId, kind, sorted.keySet());
            var won = new HashSet<String>();
            sorted.forEach((index, subject) -> {
                if (subject.equals(owners.get(index))) won.add(index);
            });
            return won;
        }
        // PostgreSQL: every claim in one statement, in blind-index order (as above), which
        // returns the rows it inserted; a row another transaction holds or is inserting is waited
        // for and then left to it, and is not returned
        return new HashSet<>(h.createQuery("""
                        insert into identifiers (account_id, kind, blind_index, subject_id, created_at, collected_at)
                        select cast(:account as uuid), :kind, c.blind_index, cast(c.subject_id as uuid), :at, :at
                        from unnest(cast(:indexes as varchar[]), cast(:subjects as varchar[]))
                          with ordinality as c(blind_index, subject_id, n)
                        order by c.n
                        on conflict do nothing
                        returning blind_index
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bind("at", utc(at))
                .bindArray("indexes", String.class, List.copyOf(sorted.keySet()))
                .bindArray("subjects", String.class, List.copyOf(sorted.values()))
                .mapTo(String.class)
                .list());
    }

    @Override
    public void seenAll(Handle h, String accountId, Map<String, Instant[]> ranges) {
        if (ranges.isEmpty()) return;
        var batch = h.prepareBatch("""
                update subjects
                set first_seen_at = least(first_seen_at, :from), last_seen_at = greatest(last_seen_at, :to)
                where account_id = :account and subject_id = :subject
                """);
        // In id order, so two batches touching the same subjects lock them in the same order and
        // cannot deadlock.
        new TreeMap<>(ranges)
                .forEach((subject, range) -> batch.bind("account", accountId)
                        .bind("subject", subject)
                        .bind("from", utc(range[0]))
                        .bind("to", utc(range[1]))
                        .add());
        batch.execute();
    }

    @Override
    public Optional<Subject> find(Handle h, String accountId, String subjectId) {
        return h.createQuery("select * from subjects where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcSubjectStore::subject)
                .findOne();
    }

    @Override
    public Set<String> existing(Handle h, String accountId, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return Set.of();
        return new java.util.HashSet<>(h.createQuery(
                        "select subject_id from subjects where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .mapTo(String.class)
                .list());
    }

    @Override
    public Map<String, Subject> lock(Handle h, String accountId, Collection<String> subjectIds) {
        var out = new TreeMap<String, Subject>();
        var ordered = List.copyOf(new TreeSet<>(subjectIds));
        // In chunks, each in id order: rows are locked as the sorted result is read.
        for (int from = 0; from < ordered.size(); from += 500) {
            h.createQuery("""
                            select * from subjects
                            where account_id = :account and subject_id in (<subjects>)
                            order by subject_id
                            for update
                            """)
                    .bind("account", accountId)
                    .bindList("subjects", Ids.uuids(ordered.subList(from, Math.min(ordered.size(), from + 500))))
                    .map(JdbcSubjectStore::subject)
                    .forEach(s -> out.put(s.subjectId(), s));
        }
        return out;
    }

    @Override
    public void seen(Handle h, String accountId, String subjectId, Instant from, Instant to) {
        h.createUpdate("""
                        update subjects
                        set first_seen_at = least(first_seen_at, :from), last_seen_at = greatest(last_seen_at, :to)
                        where account_id = :account and subject_id = :subject
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .execute();
    }

    @Override
    public void identify(Handle h, String accountId, String subjectId, String subjectType) {
        h.createUpdate("""
                        update subjects set identified = true, subject_type = :type
                        where account_id = :account and subject_id = :subject
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("type", subjectType)
                .execute();
    }

    @Override
    public boolean delete(Handle h, String accountId, String subjectId) {
        return h.createUpdate("delete from subjects where account_id = :account and subject_id = :subject")
                        .bind("account", accountId)
                        .bind("subject", subjectId)
                        .execute()
                == 1;
    }

    @Override
    public Optional<String> subjectOf(Handle h, String accountId, IdentifierKind kind, String blindIndex) {
        return h.createQuery("""
                        select subject_id from identifiers
                        where account_id = :account and kind = :kind and blind_index = :index
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bind("index", blindIndex)
                .mapTo(String.class)
                .findOne();
    }

    @Override
    public Map<String, String> subjectsOf(
            Handle h, String accountId, IdentifierKind kind, Collection<String> blindIndexes) {
        var out = new HashMap<String, String>();
        if (blindIndexes.isEmpty()) return out;
        h.createQuery("""
                        select blind_index, subject_id from identifiers
                        where account_id = :account and kind = :kind and blind_index in (<indexes>)
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bindList("indexes", List.copyOf(blindIndexes))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void addIdentifier(
            Handle h, String accountId, IdentifierKind kind, String blindIndex, String subjectId, Instant at) {
        h.createUpdate("""
                        insert into identifiers (account_id, kind, blind_index, subject_id, created_at, collected_at)
                        values (:account, :kind, :index, :subject, :at, :at)
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bind("index", blindIndex)
                .bind("subject", subjectId)
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public void identifierSeen(Handle h, String accountId, IdentifierKind kind, String blindIndex, Instant at) {
        h.createUpdate("""
                        update identifiers set collected_at = :at
                        where account_id = :account and kind = :kind and blind_index = :index and collected_at < :at
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bind("index", blindIndex)
                .bind("at", utc(at))
                .execute();
    }

    @Override
    public Map<String, String> typesOf(Handle h, String accountId, Collection<String> subjectIds) {
        var out = new HashMap<String, String>();
        if (subjectIds.isEmpty()) return out;
        h.createQuery("""
                        select subject_id, subject_type from subjects
                        where account_id = :account and subject_id in (<subjects>)
                        """)
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void pointIdentifier(Handle h, String accountId, IdentifierKind kind, String blindIndex, String subjectId) {
        h.createUpdate("""
                        update identifiers set subject_id = :subject
                        where account_id = :account and kind = :kind and blind_index = :index
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bind("index", blindIndex)
                .bind("subject", subjectId)
                .execute();
    }

    @Override
    public int relabelRule(
            Handle h, SubjectTable table, String accountId, String subjectId, String fromRule, String toRule) {
        // the table name is one of the registry's constants, never input
        return h.createUpdate("update " + table.table() + " set rule_kind = :to"
                        + " where account_id = :account and subject_id = :subject and rule_kind = :from")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("from", fromRule)
                .bind("to", toRule)
                .execute();
    }

    @Override
    public int moveRows(Handle h, SubjectTable table, String accountId, String fromSubject, String toSubject) {
        // the table name is one of the registry's constants, never input
        return h.createUpdate("update " + table.table()
                        + " set subject_id = :to where account_id = :account and subject_id = :from")
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
    }

    @Override
    public int deleteRows(Handle h, SubjectTable table, String accountId, String subjectId) {
        // the table name is one of the registry's constants, never input
        return h.createUpdate("delete from " + table.table() + " where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .execute();
    }

    @Override
    public int deleteRowsExcept(
            Handle h, SubjectTable table, String accountId, String subjectId, Collection<String> keptCategories) {
        if (keptCategories.isEmpty()) return deleteRows(h, table, accountId, subjectId);
        return h.createUpdate("delete from " + table.table()
                        + " where account_id = :account and subject_id = :subject and category not in (<kept>)")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bindList("kept", List.copyOf(keptCategories))
                .execute();
    }

    @Override
    public int countRows(Handle h, SubjectTable table, String accountId, String subjectId) {
        return h.createQuery("select count(*) from " + table.table()
                        + " where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .mapTo(Integer.class)
                .one();
    }

    @Override
    public Map<String, Integer> countByCategory(
            Handle h, SubjectTable table, String accountId, String subjectId, Collection<String> categories) {
        var out = new TreeMap<String, Integer>();
        if (categories.isEmpty()) return out;
        h.createQuery("select category, count(*) from " + table.table()
                        + " where account_id = :account and subject_id = :subject and category in (<categories>)"
                        + " group by category")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bindList("categories", List.copyOf(categories))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public List<HeldIdentifier> identifiersOf(Handle h, String accountId, String subjectId) {
        return h
                .createQuery("""
                        select kind, blind_index, created_at, collected_at from identifiers
                        where account_id = :account and subject_id = :subject
                        order by kind, collected_at desc, created_at desc, blind_index
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map((rs, ctx) -> {
                    var kind = IdentifierKind.ofWireName(rs.getString("kind"));
                    return kind.isEmpty()
                            ? null
                            : new HeldIdentifier(
                                    kind.get(),
                                    rs.getString("blind_index"),
                                    instant(rs, "created_at"),
                                    instant(rs, "collected_at"));
                })
                .list()
                .stream()
                .filter(Objects::nonNull)
                .toList();
    }

    @Override
    public int countIdentifiers(Handle h, String accountId, String subjectId, IdentifierKind kind) {
        return h.createQuery("""
                        select count(*) from identifiers
                        where account_id = :account and subject_id = :subject and kind = :kind
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("kind", kind.wireName())
                .mapTo(Integer.class)
                .one();
    }

    @Override
    public int deleteIdentifiers(Handle h, String accountId, String subjectId) {
        return h.createUpdate("delete from identifiers where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .execute();
    }

    /** A subject from its row; profile lists read the same rows. */
    public static Subject subject(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Subject(
                rs.getString("account_id"),
                rs.getString("subject_id"),
                rs.getString("subject_type"),
                rs.getBoolean("identified"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("first_seen_at", OffsetDateTime.class).toInstant(),
                rs.getObject("last_seen_at", OffsetDateTime.class).toInstant());
    }
}
