package dev.lethe.crypto;

import static dev.lethe.storage.Timestamps.utc;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Wrapped keys in SQL. The epoch column is where periodic re-wrapping will record its round. */
public final class JdbcKeyStore implements KeyStore {

    private final Clock clock;

    public JdbcKeyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<byte[]> accountKey(Handle h, String accountId, String purpose) {
        return h.createQuery("""
                        select wrapped from account_keys
                        where account_id = :account and purpose = :purpose
                        order by epoch desc limit 1
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .mapTo(byte[].class)
                .findOne();
    }

    @Override
    public Optional<java.util.Map.Entry<String, byte[]>> anyAccountDataKey(Handle h) {
        return h.createQuery("select account_id, wrapped from account_keys where purpose = 'data' limit 1")
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("account_id"), rs.getBytes("wrapped")))
                .findOne();
    }

    @Override
    public boolean insertAccountKey(Handle h, String accountId, String purpose, byte[] wrapped) {
        if (accountKey(h, accountId, purpose).isPresent()) return false;
        h.createUpdate("""
                        insert into account_keys (account_id, purpose, epoch, wrapped, created_at)
                        values (:account, :purpose, 1, :wrapped, :at)
                        """)
                .bind("account", accountId)
                .bind("purpose", purpose)
                .bind("wrapped", wrapped)
                .bind("at", now())
                .execute();
        return true;
    }

    @Override
    public Optional<byte[]> subjectKey(Handle h, String accountId, String subjectId) {
        return h.createQuery("select wrapped from subject_keys where account_id = :account and subject_id = :subject")
                .bind("account", accountId)
                .bind("subject", subjectId)
                .mapTo(byte[].class)
                .findOne();
    }

    @Override
    public java.util.Set<String> subjectsWithKeys(Handle h, String accountId, java.util.Collection<String> subjectIds) {
        var out = new java.util.HashSet<String>();
        var all = java.util.List.copyOf(subjectIds);
        for (int from = 0; from < all.size(); from += 500) {
            h.createQuery("""
                            select subject_id from subject_keys
                            where account_id = :account and subject_id in (<subjects>)
                            """)
                    .bind("account", accountId)
                    .bindList("subjects", all.subList(from, Math.min(all.size(), from + 500)))
                    .mapTo(String.class)
                    .forEach(out::add);
        }
        return out;
    }

    @Override
    public void insertSubjectKey(Handle h, String accountId, String subjectId, byte[] wrapped) {
        h.createUpdate("""
                        insert into subject_keys (account_id, subject_id, epoch, wrapped, created_at)
                        values (:account, :subject, 1, :wrapped, :at)
                        """)
                .bind("account", accountId)
                .bind("subject", subjectId)
                .bind("wrapped", wrapped)
                .bind("at", now())
                .execute();
    }

    @Override
    public void insertSubjectKeys(Handle h, String accountId, java.util.Map<String, byte[]> wrappedBySubject) {
        if (wrappedBySubject.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into subject_keys (account_id, subject_id, epoch, wrapped, created_at)
                values (:account, :subject, 1, :wrapped, :at)
                """);
        var at = now();
        wrappedBySubject.forEach((subject, wrapped) -> batch.bind("account", accountId)
                .bind("subject", subject)
                .bind("wrapped", wrapped)
                .bind("at", at)
                .add());
        batch.execute();
    }

    @Override
    public boolean deleteSubjectKey(Handle h, String accountId, String subjectId) {
        return h.createUpdate("delete from subject_keys where account_id = :account and subject_id = :subject")
                        .bind("account", accountId)
                        .bind("subject", subjectId)
                        .execute()
                == 1;
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }
}
