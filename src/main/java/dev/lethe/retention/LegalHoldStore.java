package dev.lethe.retention;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Where legal holds are kept. */
public interface LegalHoldStore {

    void insert(Handle h, String accountId, LegalHold hold);

    /** The account's holds, newest first; released ones too when asked. */
    List<LegalHold> list(Handle h, String accountId, boolean released);

    /** One hold, locked until the transaction ends. */
    Optional<LegalHold> lock(Handle h, String accountId, String holdId);

    /** Holds by id, locked in id order until the transaction ends (one statement). */
    List<LegalHold> lockAll(Handle h, String accountId, java.util.Collection<String> holdIds);

    void release(Handle h, String accountId, String holdId, Instant at, String by);
}
