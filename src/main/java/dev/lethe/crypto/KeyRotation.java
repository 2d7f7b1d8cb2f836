package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import dev.lethe.crypto.KeyStore.StoredKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * Epochs of an account's data key (promise 3). A deleted wrapped subject key can outlive its row
 * in the WAL, old file chunks and backups; once every live key is re-wrapped under a new epoch and
 * the old epoch's key is destroyed, such leftovers no longer open. So every copy of a shredded
 * key is unreadable within one epoch plus backup retention.
 *
 * <p>A round: {@link #newEpoch}, then {@link #rewrap} from the old epoch, then {@link
 * #destroyEpoch} of the old one. Only the data key rotates; the blind-index key never does
 * ({@link AccountKeys#INDEX_EPOCH}).
 */
public final class KeyRotation {

    /** Where paging through key ids starts: the nil uuid sorts before every id. */
    static final String FIRST_KEY = "00000000-0000-0000-0000-000000000000";

    /** What {@link #destroyEpoch} did. */
    public enum Destruction {
        /** The epoch's key is gone. */
        DESTROYED,
        /** Nothing done: the account has no such epoch (destroyed before, or never made). */
        NO_SUCH_EPOCH,
        /** Nothing done: new keys are still wrapped under it. */
        NEWEST_EPOCH,
        /**
         * Nothing done: the next epoch is younger than {@link Keyring#NEW_EPOCH_ADOPTED_WITHIN},
         * so another instance may still wrap new keys under this one.
         */
        TOO_SOON,
        /** Nothing done: subject or hold keys are still wrapped under it; re-wrap them first. */
        IN_USE
    }

    /**
     * An account's data-key epochs as stored.
     *
     * @param epochs every epoch whose key exists, oldest first; the last is the newest
     * @param newestMadeAt when the newest was made
     */
    public record Epochs(List<Integer> epochs, Instant newestMadeAt) {
        public Epochs {
            epochs = List.copyOf(epochs);
            if (epochs.isEmpty()) throw new IllegalArgumentException("an account with a data key has an epoch");
        }

        public int newest() {
            return epochs.getLast();
        }

        /** The epochs older than the newest, each still to be emptied and destroyed. */
        public List<Integer> older() {
            return epochs.subList(0, epochs.size() - 1);
        }
    }

    /** Keys of one epoch read for re-wrapping, already re-wrapped in memory, not yet written. */
    record Page(String accountId, int fromEpoch, List<StoredKey> subjectKeys, List<StoredKey> holdKeys) {}

    private final Jdbi jdbi;
    private final KeyStore store;
    private final AccountKeys accounts;
    private final Clock clock;

    public KeyRotation(Jdbi jdbi, KeyStore store, Keyring keyring, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.accounts = keyring.accountKeys();
        this.clock = clock;
    }

    /** The account's data-key epochs, or empty while it has no data key (no subject yet). */
    public Optional<Epochs> epochs(String accountId) {
        return jdbi.withHandle(h -> {
            var epochs = store.epochs(h, accountId, AccountKeys.DATA);
            if (epochs.isEmpty()) return Optional.empty();
            return store.accountKeyCreatedAt(h, accountId, AccountKeys.DATA, epochs.getLast())
                    .map(made -> new Epochs(epochs, made));
        });
    }

    /**
     * Makes the account's next data-key epoch. New keys are wrapped under it at once on this
     * instance and within {@link Keyring#NEW_EPOCH_ADOPTED_WITHIN} on every other. Returns it.
     */
    public int newEpoch(String accountId) {
        return accounts.createEpoch(accountId);
    }

    /**
     * Re-wraps every subject and hold key of {@code fromEpoch} under the newest epoch, a page at a
     * time, each page in a short transaction of its own. A key destroyed while its page is in
     * flight stays destroyed. Returns how many keys were re-wrapped.
     */
    public long rewrap(String accountId, int fromEpoch, int pageSize) {
        long written = 0;
        String after = FIRST_KEY; // the nil uuid: every key id sorts after it
        while (true) {
            Page page = readPage(accountId, fromEpoch, after, pageSize);
            written += writePage(page);
            if (page.subjectKeys().size() < pageSize) break;
            after = page.subjectKeys().getLast().id();
        }
        Page holds = readHoldKeys(accountId, fromEpoch);
        return written + writePage(holds);
    }

    /** Destroys the data key of an old epoch, if no key needs it any more. */
    public Destruction destroyEpoch(String accountId, int epoch) {
        try {
            return destroyIfUnused(accountId, epoch);
        } catch (StatementException e) {
            // a key written under this epoch after the count: the foreign key refused the delete
            if (jdbi.withHandle(h -> store.keysInEpoch(h, accountId, epoch)) > 0) return Destruction.IN_USE;
            throw e;
        }
    }

    private Destruction destroyIfUnused(String accountId, int epoch) {
        return jdbi.inTransaction(h -> {
            int newest = store.newestEpoch(h, accountId, AccountKeys.DATA).orElse(0);
            if (store.accountKey(h, accountId, AccountKeys.DATA, epoch).isEmpty()) return Destruction.NO_SUCH_EPOCH;
            if (epoch >= newest) return Destruction.NEWEST_EPOCH;
            var newestMade = store.accountKeyCreatedAt(h, accountId, AccountKeys.DATA, newest)
                    .orElseThrow();
            if (clock.instant().isBefore(newestMade.plus(Keyring.NEW_EPOCH_ADOPTED_WITHIN))) {
                return Destruction.TOO_SOON;
            }
            if (store.keysInEpoch(h, accountId, epoch) > 0) return Destruction.IN_USE;
            // The foreign keys of subject_keys and hold_keys make this delete fail, rather than
            // orphan a key, if one was written under this epoch after the count.
            store.deleteAccountKey(h, accountId, AccountKeys.DATA, epoch);
            h.afterCommit(() -> accounts.forget(accountId, epoch));
            return Destruction.DESTROYED;
        });
    }

    /** A page of subject keys of {@code fromEpoch} after {@code afterKeyId}, re-wrapped in memory. */
    Page readPage(String accountId, int fromEpoch, String afterKeyId, int pageSize) {
        return jdbi.withHandle(h -> {
            var keys = store.subjectKeysInEpoch(h, accountId, fromEpoch, afterKeyId, pageSize);
            return new Page(
                    accountId,
                    fromEpoch,
                    rewrapped(h, accountId, fromEpoch, keys, Keyring::subjectKeyContext),
                    List.of());
        });
    }

    /** Writes a page: each key only if it is still in the old epoch. Returns how many. */
    int writePage(Page page) {
        return jdbi.inTransaction(
                h -> store.rewrapSubjectKeys(h, page.accountId(), page.fromEpoch(), page.subjectKeys())
                        + store.rewrapHoldKeys(h, page.accountId(), page.fromEpoch(), page.holdKeys()));
    }

    private Page readHoldKeys(String accountId, int fromEpoch) {
        return jdbi.withHandle(h -> {
            var keys = store.holdKeysInEpoch(h, accountId, fromEpoch);
            return new Page(accountId, fromEpoch, List.of(), rewrapped(h, accountId, fromEpoch, keys, Holds::context));
        });
    }

    private interface Context {
        byte[] of(String accountId, String id);
    }

    private List<StoredKey> rewrapped(
            Handle h, String accountId, int fromEpoch, List<StoredKey> keys, Context context) {
        // The newest epoch as stored, not as cached: this instance may not have seen it yet.
        int toEpoch = store.newestEpoch(h, accountId, AccountKeys.DATA).orElse(0);
        if (toEpoch <= fromEpoch) {
            throw new IllegalStateException("epoch " + fromEpoch + " is the newest: make a new epoch first");
        }
        Aead from = accounts.data(h, accountId, fromEpoch);
        Aead to = accounts.data(h, accountId, toEpoch);
        var out = new ArrayList<StoredKey>(keys.size());
        for (var key : keys) {
            byte[] ctx = context.of(accountId, key.id());
            out.add(new StoredKey(key.id(), toEpoch, Crypt.encrypt(to, Crypt.decrypt(from, key.wrapped(), ctx), ctx)));
        }
        return out;
    }
}
