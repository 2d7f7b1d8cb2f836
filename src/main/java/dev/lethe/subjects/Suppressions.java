package dev.lethe.subjects;

import static dev.lethe.storage.Timestamps.utc;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The suppression list (DESIGN promise 2): blind indexes — never values — of the identifiers of
 * erased people, so a late or retried batch that names them does not bring them back. Written by
 * an erasure in the transaction that destroys the person's keys; read by ingest, which drops what
 * they name or starts a new, unlinked subject, as the policy says ({@code ingest.afterErasure}).
 * Each entry goes at its own expiry ({@link #DEFAULT_RETENTION} after the erasure).
 */
public final class Suppressions {

    /**
     * How long an entry is kept: long enough for every SDK queue and retry to have given up (days,
     * not months), short enough that the blind index of a person's email is not kept for ever.
     */
    public static final java.time.Period DEFAULT_RETENTION = java.time.Period.ofDays(30);

    /** One entry: an identifier's kind and blind index. */
    public record Entry(IdentifierKind kind, String blindIndex) {}

    /**
     * Adds entries for an erasure; an entry already there is replaced (moved to this erasure and
     * the later expiry). Two statements whatever the number of entries: the erasure's transaction
     * holds the person's lock while it runs.
     */
    public void add(Handle h, String accountId, String erasureId, Collection<Entry> entries, Instant expiresAt) {
        var distinct = List.copyOf(new java.util.LinkedHashSet<>(entries));
        if (distinct.isEmpty()) return;
        var which = new StringBuilder();
        for (int i = 0; i < distinct.size(); i++) {
            if (i > 0) which.append(" or ");
            which.append("(kind = :kind")
                    .append(i)
                    .append(" and blind_index = :index")
                    .append(i)
                    .append(')');
        }
        var delete = h.createUpdate("delete from suppressions where account_id = :account and (" + which + ")")
                .bind("account", accountId);
        for (int i = 0; i < distinct.size(); i++) {
            delete.bind("kind" + i, distinct.get(i).kind().wireName())
                    .bind("index" + i, distinct.get(i).blindIndex());
        }
        delete.execute();
        var insert = h.prepareBatch("""
                insert into suppressions (account_id, kind, blind_index, erasure_id, expires_at)
                values (:account, :kind, :index, :erasure, :expires)
                """);
        for (var e : distinct) {
            insert.bind("account", accountId)
                    .bind("kind", e.kind().wireName())
                    .bind("index", e.blindIndex())
                    .bind("erasure", erasureId)
                    .bind("expires", utc(expiresAt))
                    .add();
        }
        insert.execute();
    }

    /**
     * {@link #add} for many erasures at once (a bulk deletion's batch): erasure id → its entries,
     * in the order they would be added one by one (an entry named twice goes to the later erasure).
     * One delete per kind and one batched insert, whatever the number of people.
     */
    public void addAll(
            Handle h, String accountId, Map<String, ? extends Collection<Entry>> byErasure, Instant expiresAt) {
        var owner = new java.util.LinkedHashMap<Entry, String>();
        byErasure.forEach((erasureId, entries) -> entries.forEach(e -> {
            owner.remove(e);
            owner.put(e, erasureId);
        }));
        if (owner.isEmpty()) return;
        var byKind = new java.util.EnumMap<IdentifierKind, List<String>>(IdentifierKind.class);
        owner.keySet()
                .forEach(e -> byKind.computeIfAbsent(e.kind(), k -> new java.util.ArrayList<>())
                        .add(e.blindIndex()));
        // in slices: a batch's people may have many identifiers each, and a statement's parameters
        // are bounded (PostgreSQL 65,535)
        byKind.forEach((kind, indexes) -> {
            for (int from = 0; from < indexes.size(); from += 1000)
                h.createUpdate("""
                                delete from suppressions
                                where account_id = :account and kind = :kind and blind_index in (<indexes>)
                                """)
                        .bind("account", accountId)
                        .bind("kind", kind.wireName())
                        .bindList("indexes", indexes.subList(from, Math.min(indexes.size(), from + 1000)))
                        .execute();
        });
        var insert = h.prepareBatch("""
                insert into suppressions (account_id, kind, blind_index, erasure_id, expires_at)
                values (:account, :kind, :index, :erasure, :expires)
                """);
        owner.forEach((e, erasureId) -> insert.bind("account", accountId)
                .bind("kind", e.kind().wireName())
                .bind("index", e.blindIndex())
                .bind("erasure", erasureId)
                .bind("expires", utc(expiresAt))
                .add());
        insert.execute();
    }

    /**
     * The erasure that put each of these identifiers (of one kind) on the list, while it is there:
     * blind index → erasure id (one query).
     */
    public Map<String, String> erasuresOf(
            Handle h, String accountId, IdentifierKind kind, Collection<String> blindIndexes, Instant at) {
        var out = new java.util.HashMap<String, String>();
        if (blindIndexes.isEmpty()) return out;
        h.createQuery("""
                        select blind_index, erasure_id from suppressions
                        where account_id = :account and kind = :kind and blind_index in (<indexes>)
                          and expires_at > :at
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bindList("indexes", List.copyOf(new java.util.LinkedHashSet<>(blindIndexes)))
                .bind("at", utc(at))
                .map((rs, ctx) -> out.put(rs.getString(1), rs.getString(2)))
                .list();
        return out;
    }

    /** Those of these blind indexes (of one kind) that are suppressed at {@code at}. */
    public Set<String> suppressed(
            Handle h, String accountId, IdentifierKind kind, Collection<String> blindIndexes, Instant at) {
        if (blindIndexes.isEmpty()) return Set.of();
        return new HashSet<>(h.createQuery("""
                        select blind_index from suppressions
                        where account_id = :account and kind = :kind and blind_index in (<indexes>)
                          and expires_at > :at
                        """)
                .bind("account", accountId)
                .bind("kind", kind.wireName())
                .bindList("indexes", List.copyOf(blindIndexes))
                .bind("at", utc(at))
                .mapTo(String.class)
                .list());
    }

    /**
     * Those of these entries (identifiers of any kinds) that are suppressed at {@code at}: one query
     * per kind given.
     */
    public Set<Entry> suppressed(Handle h, String accountId, Collection<Entry> entries, Instant at) {
        var byKind = new java.util.EnumMap<IdentifierKind, Set<String>>(IdentifierKind.class);
        for (var e : entries)
            byKind.computeIfAbsent(e.kind(), k -> new HashSet<>()).add(e.blindIndex());
        var out = new HashSet<Entry>();
        byKind.forEach((kind, indexes) ->
                suppressed(h, accountId, kind, indexes, at).forEach(index -> out.add(new Entry(kind, index))));
        return out;
    }

    /** The entries an erasure wrote (still there). */
    public List<Entry> ofErasure(Handle h, String accountId, String erasureId) {
        return h.createQuery("""
                        select kind, blind_index from suppressions
                        where account_id = :account and erasure_id = :erasure order by kind, blind_index
                        """)
                .bind("account", accountId)
                .bind("erasure", erasureId)
                .map((rs, ctx) ->
                        new Entry(IdentifierKind.ofWireName(rs.getString(1)).orElseThrow(), rs.getString(2)))
                .list();
    }

    /** Deletes the entries whose time is up; how many. */
    public int deleteExpired(Handle h, Instant now) {
        return h.createUpdate("delete from suppressions where expires_at <= :now")
                .bind("now", utc(now))
                .execute();
    }
}
