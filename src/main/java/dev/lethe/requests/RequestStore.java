package dev.lethe.requests;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** Requests in storage. Methods run on the caller's handle. */
public interface RequestStore {

    void insert(Handle h, String accountId, DataRequest request);

    Optional<DataRequest> find(Handle h, String accountId, String requestId);

    /** The request, locked for the rest of the transaction. */
    Optional<DataRequest> lock(Handle h, String accountId, String requestId);

    void update(Handle h, String accountId, DataRequest request);

    /**
     * A page of the queue in order of receipt, after {@code (afterReceived, afterId)} when given;
     * {@code limit} rows at most.
     */
    List<DataRequest> page(
            Handle h,
            String accountId,
            RequestQuery query,
            Instant now,
            Instant afterReceived,
            String afterId,
            int limit);

    /** Every request about a subject, oldest first. */
    List<DataRequest> ofSubject(Handle h, String accountId, String subjectId);

    /** Which of these subjects a restriction holds. */
    Set<String> restrictedAmong(Handle h, String accountId, Collection<String> subjectIds);

    /** Per account, its open requests past their due date at {@code now}. */
    Map<String, Long> overdueByAccount(Handle h, Instant now);

    /** Notes when the first code was sent to verify the requester. */
    void verificationStarted(Handle h, String accountId, String requestId, Instant at);

    /** Notes that the one reminder (a new code) was sent. */
    void reminded(Handle h, String accountId, String requestId, Instant at);

    /** Notes that the right code was given: the request was verified by email. */
    void verified(Handle h, String accountId, String requestId, Instant at);

    /** When the request was verified by email; empty when it was not. */
    Optional<Instant> verifiedAt(Handle h, String accountId, String requestId);

    /**
     * Requests awaiting verification, of every account, whose first code went out before {@code
     * remindBefore} and were not reminded yet, or before {@code giveUpBefore}; oldest first,
     * {@code limit} at most.
     */
    List<Awaiting> awaitingVerification(Handle h, Instant remindBefore, Instant giveUpBefore, int limit);

    /** A request awaiting verification: its account and id, when the first code went out, whether reminded. */
    record Awaiting(String accountId, String requestId, Instant startedAt, boolean reminded) {}
}
