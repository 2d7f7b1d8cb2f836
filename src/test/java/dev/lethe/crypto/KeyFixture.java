package dev.lethe.crypto;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.lethe.storage.Ids;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;

/**
 * A Lethe over a fresh database with one account, for tests of the key hierarchy at the keyring
 * level: sealing and opening as the value store does, and second "server instances" (keyrings of
 * their own, with cold caches and a cache clock the test moves) over the same database.
 */
final class KeyFixture implements AutoCloseable {

    /** A fixed id (a uuid) for a name a test uses, the same each time. */
    static String id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A sealed value as its row would hold it. */
    record Row(String keyId, String category, String valueId, byte[] ciphertext) {}

    /** A cache clock moved by hand. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    final TestLethe lethe;
    final Jdbi jdbi;
    final String account;
    final Keyring keyring;
    final KeyRotation rotation;
    private final Ids ids = new Ids(new SecureRandom(), Clock.systemUTC());

    KeyFixture(TestDatabase engine) {
        lethe = new TestLethe(engine);
        jdbi = lethe.lethe().database().jdbi();
        account = lethe.createAccount("Quokka Shop").id();
        keyring = lethe.lethe().keyring();
        rotation = new KeyRotation(jdbi, new JdbcKeyStore(lethe.clock()), keyring, lethe.clock());
    }

    /** Another server instance's keyring over the same database: nothing cached yet. */
    Keyring otherInstance(Ticker ticker) {
        var master = KeysetMasterKey.load(Optional.empty(), lethe.dataDir().resolve("master-key.json"));
        return new Keyring(jdbi, new JdbcKeyStore(lethe.clock()), master, ids, ticker);
    }

    Keyring otherInstance() {
        return otherInstance(Ticker.systemTicker());
    }

    void createSubject(String subject) {
        jdbi.useTransaction(h -> keyring.createSubjectKey(h, account, subject));
    }

    Row seal(String subject, String category, String text) {
        String valueId = ids.next();
        var sealed = jdbi.inTransaction(
                h -> keyring.seal(h, account, subject, category, valueId, text.getBytes(StandardCharsets.UTF_8)));
        return new Row(sealed.keyId(), category, valueId, sealed.ciphertext());
    }

    String open(Row row) {
        return open(keyring, row);
    }

    String open(Keyring instance, Row row) {
        return new String(
                jdbi.withHandle(
                        h -> instance.open(h, account, row.keyId(), row.category(), row.valueId(), row.ciphertext())),
                StandardCharsets.UTF_8);
    }

    long count(String sql, Object... parameters) {
        return lethe.count(sql, parameters);
    }

    @Override
    public void close() {
        lethe.close();
    }
}
