package dev.lethe.crypto;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.BinaryCopy;
import dev.lethe.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Wrapped keys in SQL: account_keys, subject_keys, hold_keys and held_keys. */
public final class JdbcKeyStore implements KeyStore {

    private final Clock clock;

    public JdbcKeyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<byte[]> accountKey(Handle h, String accountId, String purpose, int epoch) {
        return h.createQuery("""
                        select wrapped from account_keys
                        where account_id = :account and purpose = :purpose and epoch = :epoch
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .bind("epoch", epoch)
                .mapTo(byte[].class)
                .findOne();
    }

    @Override
    public OptionalInt newestEpoch(Handle h, String accountId, String purpose) {
        return h.createQuery("""
                        select max(epoch) from account_keys where account_id = :account and purpose = :purpose
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .mapTo(Integer.class)
                .findOne()
                .map(OptionalInt::of)
                .orElse(OptionalInt.empty());
    }

    @Override
    public List<Integer> epochs(Handle h, String accountId, String purpose) {
        return h.createQuery("""
                        select epoch from account_keys where account_id = :account and purpose = :purpose
                        order by epoch
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .mapTo(Integer.class)
                .list();
    }

    @Override
    public Optional<AccountKey> anyAccountDataKey(Handle h) {
        return h.createQuery("select account_id, epoch, wrapped from account_keys where purpose = 'data' limit 1")
                .map((rs, ctx) ->
                        new AccountKey(rs.getString("account_id"), rs.getInt("epoch"), rs.getBytes("wrapped")))
                .findOne();
    }

    @Override
    public boolean insertAccountKey(Handle h, String accountId, String purpose, int epoch, byte[] wrapped) {
        // "on conflict do nothing" waits for a concurrent transaction storing the same epoch and,
        // once it commits, leaves its key in place (PostgreSQL, and H2 in PostgreSQL mode alike).
        return h.createUpdate("""
                        insert into account_keys (account_id, purpose, epoch, wrapped, created_at)
                        values (:account, :purpose, :epoch, :wrapped, :at)
                        on conflict do nothing
                        """)
                        .bind("account", accountId)
                        .bind("purpose", purpose)
                        .bind("epoch", epoch)
                        .bind("wrapped", wrapped)
                        .bind("at", now())
                        .execute()
                == 1;
    }

    @Override
    public Optional<Instant> accountKeyCreatedAt(Handle h, String accountId, String purpose, int epoch) {
        return h.createQuery("""
                        select created_at from account_keys
                        where account_id = :account and purpose = :purpose and epoch = :epoch
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .bind("epoch", epoch)
                .map((rs, ctx) ->
                        rs.getObject("created_at", OffsetDateTime.class).toInstant())
                .findOne();
    }

    @Override
    public Set<String> subjectsWithKeys(Handle h, String accountId, Collection<String> subjectIds) {
        var out = new HashSet<String>();
        var all = List.copyOf(subjectIds);
        for (int from = 0; from < all.size(); from += 500) {
            h.createQuery("""
                            select subject_id from subject_keys
                            where account_id = :account and sealing and subject_id in (<subjects>)
                            """)
                    .bind("account", accountId)
                    .bindList("subjects", Ids.uuids(all.subList(from, Math.min(all.size(), from + 500))))
                    .mapTo(String.class)
                    .forEach(out::add);
        }
        return out;
    }

    @Override
    public boolean deleteAccountKey(Handle h, String accountId, String purpose, int epoch) {
        return h.createUpdate("""
                        delete from account_keys where account_id = :account and purpose = :purpose and epoch = :epoch
                        """)
                        .bind("account", accountId)
                        .bind("purpose", purpose)
                        .bind("epoch", epoch)
                        .execute()
                == 1;
    }

    @Override
    public long keysInEpoch(Handle h, String accountId, int epoch) {
        return h.createQuery("""
                        select (select count(*) from subject_keys where account_id = :account and epoch = :epoch)
                             + (select count(*) from hold_keys where account_id = :account and epoch = :epoch)
                        """)
                .bind("account", accountId)
                .bind("epoch", epoch)
                .mapTo(Long.class)
                .one();
    }

    @Override
    public void insertSubjectKeys(Handle h, String accountId, List<NewSubjectKey> keys) {
        if (keys.isEmpty()) return;
        if (keys.size() >= BinaryCopy.MIN_ROWS && BinaryCopy.available(h)) {
            // an import's batch of new people: one COPY instead of a statement per key
            var copy = new BinaryCopy(
                    "subject_keys",
                    List.of("account_id", "key_id", "subject_id", "sealing", "epoch", "wrapped", "created_at"),
                    keys.size());
            var at = clock.instant();
            for (var key : keys)
                copy.row()
                        .uuid(accountId)
                        .uuid(key.keyId())
                        .uuid(key.subjectId())
                        .bool(true)
                        .int4(key.epoch())
                        .bytes(key.wrapped())
                        .timestamp(at);
            copy.into(h);
            return;
        }
        var batch = h.prepareBatch("""
                insert into subject_keys (account_id, key_id, subject_id, sealing, epoch, wrapped, created_at)
                values (:account, :key, :subject, true, :epoch, :wrapped, :at)
                """);
        var at = now();
        for (var key : keys) {
            batch.bind("account", accountId)
                    .bind("key", key.keyId())
                    .bind("subject", key.subjectId())
                    .bind("epoch", key.epoch())
                    .bind("wrapped", key.wrapped())
                    .bind("at", at)
                    .add();
        }
        batch.execute();
    }

    @Override
    public Optional<StoredKey> subjectKey(Handle h, String accountId, String keyId) {
        return h.createQuery("""
                        select key_id, epoch, wrapped from subject_keys where account_id = :account and key_id = :key
                        """)
                .bind("account", accountId)
                .bind("key", keyId)
                .map(JdbcKeyStore::subjectKey)
                .findOne();
    }

    @Override
    public List<StoredKey> subjectKeys(Handle h, String accountId, Collection<String> keyIds) {
        if (keyIds.isEmpty()) return List.of();
        return h.createQuery("""
                        select key_id, epoch, wrapped from subject_keys
                        where account_id = :account and key_id in (<keys>)
                        """)
                .bind("account", accountId)
                .bindList("keys", List.copyOf(keyIds))
                .map(JdbcKeyStore::subjectKey)
                .list();
    }

    @Override
    public Optional<StoredKey> sealingKey(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select key_id, epoch, wrapped from subject_keys
                        where account_id = :account and subject_id = :subject and sealing
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcKeyStore::subjectKey)
                .findFirst();
    }

    @Override
    public List<StoredKey> keysOf(Handle h, String accountId, String subjectId) {
        return h.createQuery("""
                        select key_id, epoch, wrapped from subject_keys
                        where account_id = :account and subject_id = :subject
                        order by key_id
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .map(JdbcKeyStore::subjectKey)
                .list();
    }

    @Override
    public int moveKeys(Handle h, String accountId, String fromSubject, String toSubject) {
        return h.createUpdate("""
                        update subject_keys set subject_id = :to, sealing = false
                        where account_id = :account and subject_id = :from
                        """)
                .bind("account", accountId)
                .bind("from", fromSubject)
                .bind("to", toSubject)
                .execute();
    }

    @Override
    public int deleteKeysOf(Handle h, String accountId, String subjectId) {
        return h.createUpdate("delete from subject_keys where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .execute();
    }

    @Override
    public Map<String, List<String>> keyIdsOf(Handle h, String accountId, Collection<String> subjectIds) {
        var out = new java.util.HashMap<String, List<String>>();
        if (subjectIds.isEmpty()) return out;
        h.createQuery("select subject_id, key_id from subject_keys"
                        + " where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .map((rs, ctx) -> out.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>())
                        .add(rs.getString(2)))
                .list();
        return out;
    }

    @Override
    public int deleteKeysOf(Handle h, String accountId, Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) return 0;
        return h.createUpdate("delete from subject_keys where account_id = :account and subject_id in (<subjects>)")
                .bind("account", accountId)
                .bindList("subjects", Ids.uuids(subjectIds))
                .execute();
    }

    @Override
    public List<StoredKey> subjectKeysInEpoch(Handle h, String accountId, int epoch, String afterKeyId, int limit) {
        return h.createQuery("""
                        select key_id, epoch, wrapped from subject_keys
                        where account_id = :account and epoch = :epoch and key_id > :after
                        order by key_id
                        limit :limit
                        """)
                .bind("account", accountId)
                .bind("epoch", epoch)
                .bind("after", afterKeyId)
                .bind("limit", limit)
                .map(JdbcKeyStore::subjectKey)
                .list();
    }

    @Override
    public int rewrapSubjectKeys(Handle h, String accountId, int fromEpoch, List<StoredKey> rewrapped) {
        return rewrap(h, "subject_keys", "key_id", accountId, fromEpoch, rewrapped);
    }

    @Override
    public Optional<StoredKey> holdKey(Handle h, String accountId, String holdId) {
        return h.createQuery("""
                        select hold_id, epoch, wrapped from hold_keys where account_id = :account and hold_id = :hold
                        """)
                .bind("account", accountId)
                .bind("hold", holdId)
                .map(JdbcKeyStore::holdKey)
                .findOne();
    }

    @Override
    public void insertHoldKey(Handle h, String accountId, String holdId, int epoch, byte[] wrapped) {
        h.createUpdate("""
                        insert into hold_keys (account_id, hold_id, epoch, wrapped, created_at)
                        values (:account, :hold, :epoch, :wrapped, :at)
                        on conflict do nothing
                        """)
                .bind("account", accountId)
                .bind("hold", holdId)
                .bind("epoch", epoch)
                .bind("wrapped", wrapped)
                .bind("at", now())
                .execute();
    }

    @Override
    public void insertHeldKeys(Handle h, String accountId, List<HeldKey> keys) {
        if (keys.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into held_keys (account_id, key_id, category, hold_id, wrapped, created_at)
                values (:account, :key, :category, :hold, :wrapped, :at)
                """);
        var at = now();
        for (var key : keys) {
            batch.bind("account", accountId)
                    .bind("key", key.keyId())
                    .bind("category", key.category())
                    .bind("hold", key.holdId())
                    .bind("wrapped", key.wrapped())
                    .bind("at", at)
                    .add();
        }
        batch.execute();
    }

    @Override
    public Optional<HeldKey> heldKey(Handle h, String accountId, String keyId, String category) {
        return h.createQuery("""
                        select key_id, category, hold_id, wrapped from held_keys
                        where account_id = :account and key_id = :key and category = :category
                        order by hold_id
                        """)
                .bind("account", accountId)
                .bind("key", keyId)
                .bind("category", category)
                .map((rs, ctx) -> new HeldKey(
                        rs.getString("key_id"),
                        rs.getString("category"),
                        rs.getString("hold_id"),
                        rs.getBytes("wrapped")))
                .findFirst();
    }

    @Override
    public int deleteHold(Handle h, String accountId, String holdId) {
        int released = h.createUpdate("delete from held_keys where account_id = :account and hold_id = :hold")
                .bind("account", accountId)
                .bind("hold", holdId)
                .execute();
        h.createUpdate("delete from hold_keys where account_id = :account and hold_id = :hold")
                .bind("account", accountId)
                .bind("hold", holdId)
                .execute();
        return released;
    }

    @Override
    public List<StoredKey> holdKeysInEpoch(Handle h, String accountId, int epoch) {
        return h.createQuery("""
                        select hold_id, epoch, wrapped from hold_keys
                        where account_id = :account and epoch = :epoch
                        order by hold_id
                        """)
                .bind("account", accountId)
                .bind("epoch", epoch)
                .map(JdbcKeyStore::holdKey)
                .list();
    }

    @Override
    public int rewrapHoldKeys(Handle h, String accountId, int fromEpoch, List<StoredKey> rewrapped) {
        return rewrap(h, "hold_keys", "hold_id", accountId, fromEpoch, rewrapped);
    }

    /** The compare-and-set both re-wraps share: only rows still in the old epoch change. */
    private static int rewrap(
            Handle h, String table, String idColumn, String accountId, int fromEpoch, List<StoredKey> rewrapped) {
        if (rewrapped.isEmpty()) return 0;
        var batch = h.prepareBatch("update " + table + " set epoch = :to, wrapped = :wrapped"
                + " where account_id = :account and " + idColumn + " = :id and epoch = :from");
        for (var key : rewrapped) {
            batch.bind("account", accountId)
                    .bind("id", key.id())
                    .bind("from", fromEpoch)
                    .bind("to", key.epoch())
                    .bind("wrapped", key.wrapped())
                    .add();
        }
        int written = 0;
        for (int n : batch.execute()) written += Math.max(n, 0);
        return written;
    }

    private static StoredKey subjectKey(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredKey(rs.getString("key_id"), rs.getInt("epoch"), rs.getBytes("wrapped"));
    }

    private static StoredKey holdKey(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredKey(rs.getString("hold_id"), rs.getInt("epoch"), rs.getBytes("wrapped"));
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }
}
