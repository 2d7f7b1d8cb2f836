package dev.lethe.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The append-only, hash-chained record of who did what (promise 4). Each entry carries the hash of
 * the one before it in its account's chain, so an edited, removed or reordered entry breaks the
 * chain where it happened, and {@link #verify} names it.
 *
 * <p>{@link #append} takes the caller's handle: the entry is written in the same transaction as
 * the change it records, and if it cannot be written the change fails with it (fail closed).
 */
public final class AuditLog {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Jdbi jdbi;
    private final AuditStore store;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, AuditStore store, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.clock = clock;
    }

    /** Starts the chain of a new account, in the transaction that creates it. */
    public void createChain(Handle h, String accountId) {
        store.createChain(h, accountId);
    }

    /**
     * Locks the account's chain head for the rest of the caller's transaction. Every audited change
     * takes this lock anyway when it appends; taking it first serialises changes to one account
     * that must read before they write (the next policy version number).
     */
    public void lockChain(Handle h, String accountId) {
        store.lockHead(h, accountId);
    }

    /** Appends one entry in the caller's transaction and returns it. */
    public AuditEntry append(Handle h, AuditEvent event) {
        ChainHead head = store.lockHead(h, event.accountId());
        long seq = head.seq() + 1;
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String targets = json(event.targets());
        String detail = json(new TreeMap<>(event.detail()));
        var unsealed = new AuditEntry(
                event.accountId(),
                seq,
                at,
                event.actor(),
                event.source(),
                event.action(),
                targets,
                event.outcome(),
                detail,
                head.hash(),
                null);
        var entry = unsealed.withHash(hash(unsealed));
        store.insert(h, entry);
        store.moveHead(h, event.accountId(), new ChainHead(seq, entry.hash()));
        return entry;
    }

    /** Appends one entry in a transaction of its own (for events that change nothing else). */
    public AuditEntry append(AuditEvent event) {
        return jdbi.inTransaction(h -> append(h, event));
    }

    public List<AuditEntry> find(String accountId, AuditQuery query) {
        return jdbi.withHandle(h -> store.find(h, accountId, query));
    }

    /**
     * Walks the whole chain and names every entry that is not as it was written: its content no
     * longer matches its hash (edited), it does not link to the entry before it (removed or
     * reordered), or sequence numbers are missing (removed). The head kept beside the chain shows a
     * truncated tail.
     */
    public Verification verify(String accountId) {
        return jdbi.inTransaction(h -> {
            var problems = new ArrayList<Verification.Problem>();
            var state = new Object() {
                long expectedSeq = 1;
                String prevHash = ChainHead.GENESIS.hash();
                long count = 0;
            };
            store.forEachInOrder(h, accountId, e -> {
                state.count++;
                if (e.seq() != state.expectedSeq) {
                    problems.add(new Verification.Problem(
                            e.seq(),
                            "entries "
                                    + state.expectedSeq
                                    + (e.seq() - 1 > state.expectedSeq ? ".." + (e.seq() - 1) : "")
                                    + " are missing before this one"));
                } else if (!e.prevHash().equals(state.prevHash)) {
                    problems.add(new Verification.Problem(
                            e.seq(), "does not link to the entry before it (removed or reordered)"));
                }
                String recomputed = hash(e);
                if (!recomputed.equals(e.hash())) {
                    problems.add(new Verification.Problem(e.seq(), "content does not match its hash (edited)"));
                }
                state.expectedSeq = e.seq() + 1;
                state.prevHash = e.hash();
            });
            var recorded = store.head(h, accountId);
            if (recorded.isEmpty()) {
                problems.add(
                        new Verification.Problem(0, "there is no audit chain for this account (no recorded head)"));
            }
            ChainHead head = recorded.orElse(ChainHead.GENESIS);
            long last = state.expectedSeq - 1;
            if (recorded.isPresent() && (head.seq() != last || !head.hash().equals(state.prevHash))) {
                problems.add(new Verification.Problem(
                        head.seq(),
                        "the chain ends at entry "
                                + last
                                + " but its recorded head is entry "
                                + head.seq()
                                + " (entries removed from the end, or the head was changed)"));
            }
            return new Verification(problems.isEmpty(), state.count, head, List.copyOf(problems));
        });
    }

    /** Every account whose chain can be verified (accounts, recorded heads, stray entries). */
    public List<String> chainOwners() {
        return jdbi.withHandle(store::chainOwners);
    }

    /** The hash of an entry's content, its sequence number and its predecessor's hash. */
    static String hash(AuditEntry e) {
        // Fields are length-prefixed so no two different entries serialise to the same bytes.
        var text = new StringBuilder();
        for (String field : new String[] {
            e.accountId(),
            Long.toString(e.seq()),
            e.at().truncatedTo(ChronoUnit.MICROS).toString(),
            e.actor(),
            e.source() == null ? "" : e.source(),
            e.action(),
            e.targets(),
            e.outcome(),
            e.detail(),
            e.prevHash()
        }) {
            text.append(field.length()).append(':').append(field).append('\n');
        }
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException missing) {
            throw new IllegalStateException("SHA-256 is part of every JDK", missing);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not serialisable", e);
        }
    }
}
