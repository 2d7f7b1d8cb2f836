package dev.lethe.audit;

import dev.lethe.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links written entries into their account's chain, right after the commit that wrote them. A
 * pass takes the chain head once (select … for update) and chains every pending entry it finds,
 * in the order written, in one short transaction: the head is held for the time of a few updates,
 * never for the time of the writes the entries record, and many entries share one pass.
 *
 * <p>Within this process one pass at a time runs per account: requests made while a pass runs are
 * folded into one more pass. Between server instances the head's row lock serialises passes. An
 * entry whose seal does not hold (forged or edited while pending, which needs no more than write
 * access to the database) is refused: marked, never chained, and the refusal itself is chained.
 * What a crash leaves pending is chained at the next start ({@link #chainAll}), and a periodic pass
 * catches what another instance left.
 */
public final class AuditChainer implements AutoCloseable {

    /** Entries chained per transaction: the head is held while they are updated. */
    static final int GROUP = 500;

    private static final Logger log = LoggerFactory.getLogger(AuditChainer.class);

    private final Jdbi jdbi;
    private final AuditStore store;
    private final AuditKeys keys;
    private final Ids ids;
    private final Clock clock;
    /** Per account: 0 idle, else a pass runs; any change while it runs asks for one more. */
    private final ConcurrentHashMap<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private final ExecutorService passes = Executors.newFixedThreadPool(2, daemon("lethe-audit-chainer"));
    private ScheduledExecutorService periodic;

    AuditChainer(Jdbi jdbi, AuditStore store, AuditKeys keys, Ids ids, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.keys = keys;
        this.ids = ids;
        this.clock = clock;
    }

    /** Asks for a pass in the background: what the caller just committed gets chained. */
    void request(String accountId) {
        var state = requests.computeIfAbsent(accountId, a -> new AtomicInteger());
        if (state.getAndIncrement() != 0) return; // the running pass will go round once more
        try {
            passes.execute(() -> run(accountId, state));
        } catch (RuntimeException closed) {
            state.set(0); // shutting down: the next start chains it
        }
    }

    private void run(String accountId, AtomicInteger state) {
        while (true) {
            int seen = state.get();
            try {
                chainNow(accountId);
            } catch (RuntimeException e) {
                // The entries stay pending and safe; the periodic pass (or the next start) retries.
                log.warn("could not chain the audit entries of account {}", accountId, e);
                state.set(0);
                return;
            }
            if (state.compareAndSet(seen, 0)) return;
        }
    }

    /** Chains every pending entry of one account now, in this thread; returns how many were taken. */
    public int chainNow(String accountId) {
        int total = 0;
        while (true) {
            boolean any = jdbi.withHandle(h -> !store.pending(h, accountId, 1).isEmpty());
            if (!any) return total;
            int taken = jdbi.inTransaction(h -> chainGroup(h, accountId));
            total += taken;
            if (taken < GROUP) return total;
        }
    }

    /** Chains what every account has pending: what a crash or another instance left. */
    public int chainAll() {
        int total = 0;
        for (String accountId : jdbi.withHandle(store::accountsWithPending)) total += chainNow(accountId);
        return total;
    }

    /** Runs {@link #chainAll} in the background every {@code period}. */
    public synchronized void chainPeriodically(Duration period) {
        if (periodic != null) return;
        periodic = Executors.newSingleThreadScheduledExecutor(daemon("lethe-audit-chainer-periodic"));
        periodic.scheduleWithFixedDelay(
                () -> {
                    try {
                        jdbi.withHandle(store::accountsWithPending).forEach(this::request);
                    } catch (RuntimeException e) {
                        log.warn("could not look for audit entries to chain", e);
                    }
                },
                period.toMillis(),
                period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private int chainGroup(Handle h, String accountId) {
        ChainHead head = store.lockHead(h, accountId);
        var pending = store.pending(h, accountId, GROUP);
        if (pending.isEmpty()) return 0;
        AuditKey key = keys.forWriting(h, accountId);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        var link = new Link(key, head);
        var chained = new ArrayList<AuditEntry>(pending.size());
        var refusals = new ArrayList<AuditEntry>();
        for (var e : pending) {
            if (key.seal(e).equals(e.seal())) {
                chained.add(link.next(e));
            } else {
                log.warn("refused audit entry {} of account {}: its seal does not match", e.entryId(), accountId);
                store.refuse(h, accountId, e.entryId(), now);
                refusals.add(refusal(key, e, now));
            }
        }
        for (var r : refusals) {
            store.insertPending(h, r);
            chained.add(link.next(r));
        }
        store.chain(h, chained);
        store.moveHead(h, accountId, link.head());
        return pending.size();
    }

    /** The entry that records a refusal, in the chain the forged entry tried to join. */
    private AuditEntry refusal(AuditKey key, AuditEntry forged, Instant at) {
        var event = new AuditEvent(
                forged.accountId(),
                Actor.SYSTEM.id(),
                null,
                "audit.refuse",
                List.of("audit:" + forged.entryId()),
                "denied",
                Map.of("reason", "its seal does not match: forged, or edited while pending"));
        var entry = AuditLog.unsealed(ids.next(), at, event);
        return entry.sealed(key.seal(entry));
    }

    /** Walks the chain forward from a head, linking one entry after another. */
    private static final class Link {
        private final AuditKey key;
        private long seq;
        private String hash;

        Link(AuditKey key, ChainHead head) {
            this.key = key;
            this.seq = head.seq();
            this.hash = head.hash();
        }

        AuditEntry next(AuditEntry e) {
            var placed = e.chained(seq + 1, hash, null);
            var linked = placed.chained(seq + 1, hash, key.link(placed));
            seq = linked.seq();
            hash = linked.hash();
            return linked;
        }

        ChainHead head() {
            return new ChainHead(seq, hash);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (periodic != null) periodic.shutdownNow();
        }
        passes.shutdown();
        try {
            if (!passes.awaitTermination(5, TimeUnit.SECONDS)) passes.shutdownNow();
        } catch (InterruptedException e) {
            passes.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            var t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
