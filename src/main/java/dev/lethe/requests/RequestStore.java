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
}
