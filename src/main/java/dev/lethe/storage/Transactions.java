package dev.lethe.storage;

import dev.lethe.errors.ConflictException;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * Transactions that a concurrent writer may force to start over. A writer that finds, once it
 * holds its subjects' locks, that another transaction changed what it had looked up (a subject
 * merged away, an identifier claimed first) throws {@link Retry}; the database may also abort
 * one side of a deadlock or a lock wait. Either way nothing was committed, so the work is run
 * again from the start in a new transaction, a few times, before the caller gets a 409.
 */
public final class Transactions {

    /** How many times a transaction is tried before the request answers 409. */
    static final int ATTEMPTS = 6;

    /**
     * SQL states after which the transaction was rolled back and may simply run again:
     * serialization failure and deadlock (40001, PostgreSQL 40P01), H2's lock timeout (HYT00)
     * and its "concurrent update" of a row another transaction changed (90131).
     */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "HYT00", "90131");

    private final Jdbi jdbi;

    public Transactions(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What a transaction throws when what it read changed before it could lock it. */
    public static final class Retry extends RuntimeException {
        public Retry(String why) {
            super(why, null, false, false);
        }
    }

    /** Runs {@code work} in a transaction, again from the start when it must retry. */
    public <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return jdbi.inTransaction(work);
            } catch (RuntimeException e) {
                if (!(e instanceof Retry) && !isTransient(e)) throw e;
                last = e;
                pause(attempt);
            }
        }
        throw new ConflictException(
                "Another change to the same person was being made at the same moment; nothing was changed. Send the"
                        + " request again.",
                List.of());
    }

    /** {@link #inTransaction} for work that returns nothing. */
    public void useTransaction(Consumer<Handle> work) {
        inTransaction(h -> {
            work.accept(h);
            return null;
        });
    }

    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null && TRANSIENT.contains(s.getSQLState())) return true;
                    if (s.getErrorCode() == 90131 || s.getErrorCode() == 50200 || s.getErrorCode() == 40001)
                        return true;
                }
            }
        }
        return false;
    }

    /** A short random back-off, growing with attempts, so the racers do not meet again at once. */
    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a transaction", e);
        }
    }
}
