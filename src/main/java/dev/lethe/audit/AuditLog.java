package dev.lethe.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lethe.crypto.MasterKey;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.storage.Cursors;
import dev.lethe.storage.Ids;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, hash-chained record of who did what (promise 4).
 *
 * <p>{@link #append} writes the entry in the caller's transaction, sealed with an HMAC under the
 * account's audit key: if it cannot be written, the change it records fails with it (fail
 * closed), and no change commits without its entry. Appending takes no lock that the account's
 * other writers share; right after the commit the {@link AuditChainer} gives the entry its place
 * in the chain: a sequence number and a keyed hash over its content and the hash of the entry
 * before it. So an edited, removed or reordered entry breaks the chain where it happened, and
 * {@link #verify} names it; see docs/audit.md for what that proves and what it does not.
 */
public final class AuditLog implements AutoCloseable {

    /** How often every instance looks for entries left pending (by a failed pass, or another instance). */
    public static final Duration PERIODIC_CHAINING = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Jdbi jdbi;
    private final AuditStore store;
    private final AuditKeys keys;
    private final AuditChainer chainer;
    private final Ids ids;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, AuditStore store, MasterKey master, SecureRandom random, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.keys = new AuditKeys(jdbi, store, master, random, clock);
        this.ids = new Ids(random, clock);
        this.chainer = new AuditChainer(jdbi, store, keys, ids, clock);
        this.clock = clock;
    }

    /** Starts the chain of a new account, and its audit key, in the transaction that creates it. */
    public void createChain(Handle h, String accountId) {
        store.createChain(h, accountId);
        keys.create(h, accountId);
    }

    /**
     * Writes one sealed entry in the caller's transaction and returns it (pending: it is chained
     * right after the commit). Takes no lock the account's other writers wait for.
     */
    public AuditEntry append(Handle h, AuditEvent event) {
        var unsealed = unsealed(ids.next(), clock.instant().truncatedTo(ChronoUnit.MICROS), event);
        var entry = unsealed.sealed(keys.forWriting(h, event.accountId()).seal(unsealed));
        store.insertPending(h, entry);
        if (h.isInTransaction()) {
            h.afterCommit(() -> chainer.request(event.accountId()));
        } else {
            chainer.request(event.accountId()); // written in auto-commit: already committed
        }
        return entry;
    }

    /**
     * {@link #append} for many events of one account in the caller's transaction (a bulk
     * deletion's batch): each sealed as alone, all written in one batch, in their order.
     */
    public List<AuditEntry> appendAll(Handle h, String accountId, List<AuditEvent> events) {
        if (events.isEmpty()) return List.of();
        var key = keys.forWriting(h, accountId);
        var entries = new java.util.ArrayList<AuditEntry>(events.size());
        for (var event : events) {
            if (!event.accountId().equals(accountId)) throw new IllegalArgumentException("one account's events");
            var unsealed = unsealed(ids.next(), clock.instant().truncatedTo(ChronoUnit.MICROS), event);
            entries.add(unsealed.sealed(key.seal(unsealed)));
        }
        store.insertPendingAll(h, entries);
        if (h.isInTransaction()) {
            h.afterCommit(() -> chainer.request(accountId));
        } else {
            chainer.request(accountId);
        }
        return entries;
    }

    /** Appends one entry in a transaction of its own (for events that change nothing else). */
    public AuditEntry append(AuditEvent event) {
        return jdbi.inTransaction(h -> append(h, event));
    }

    /**
     * Chained entries, filtered, in chain order. What is pending for the account is chained first,
     * so a reader sees every entry committed before the call; an entry that cannot be chained (its
     * seal does not hold) is not listed, and {@link #verify} names it.
     */
    public List<AuditEntry> find(String accountId, AuditQuery query) {
        chainPending(accountId);
        return jdbi.withHandle(h -> store.find(h, accountId, query));
    }

    /**
     * A page of {@link #find}: from the start of what the query selects, or after where the page
     * that gave out {@code cursor} ended. A cursor of other filters is refused, naming it.
     */
    public AuditPage page(String accountId, AuditQuery query, String cursor) {
        var from = query;
        if (cursor != null) {
            long after = query.position(accountId, cursor)
                    .orElseThrow(() -> new BadRequestException(
                            "Bad query parameter.", List.of(new FieldError("cursor", Cursors.PROBLEM))));
            from = query.continuingAfter(after);
        }
        var entries = find(accountId, from);
        String next = entries.size() == query.limit()
                ? query.cursorAfter(accountId, entries.get(entries.size() - 1).seq())
                : null;
        return new AuditPage(entries, next);
    }

    /**
     * Chains what is pending, then checks the account's chain under its audit key and the seals of
     * entries still outside it (see {@link ChainCheck}).
     */
    public Verification verify(String accountId) {
        chainPending(accountId);
        return verifyAsStored(accountId);
    }

    /** Checks the chain as it is stored, chaining nothing (for the command line: it only reads). */
    public Verification verifyAsStored(String accountId) {
        return jdbi.inTransaction(h -> new ChainCheck(store).run(h, accountId, keys.forChecking(h, accountId)));
    }

    /** Chains what every account left pending, e.g. at start-up after a crash; returns how many. */
    public int chainEverythingPending() {
        return chainer.chainAll();
    }

    /** Chains, in the background, what any instance left pending, every {@link #PERIODIC_CHAINING}. */
    public void chainPeriodically() {
        chainer.chainPeriodically(PERIODIC_CHAINING);
    }

    /** Every account whose chain can be verified (accounts, recorded heads, stray entries). */
    public List<String> chainOwners() {
        return jdbi.withHandle(store::chainOwners);
    }

    private void chainPending(String accountId) {
        try {
            chainer.chainNow(accountId);
        } catch (RuntimeException e) {
            // Reading and verifying still work on what is chained; the entries stay pending.
            log.warn("could not chain the audit entries of account {} before reading them", accountId, e);
        }
    }

    /** The entry an event makes, not yet sealed nor chained. */
    static AuditEntry unsealed(String entryId, Instant at, AuditEvent event) {
        return new AuditEntry(
                event.accountId(),
                entryId,
                null,
                at,
                event.actor(),
                event.source(),
                event.action(),
                json(event.targets()),
                event.outcome(),
                json(new TreeMap<>(event.detail())),
                null,
                null,
                null);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not serialisable", e);
        }
    }

    @Override
    public void close() {
        chainer.close();
    }
}
