package dev.lethe.requests;

import java.time.Instant;
import java.util.List;

/**
 * A data-subject request as stored: no personal value, only the subject's id (null when Lethe did
 * not know the identifier given), the kind of identifier it was found by, its state and dates.
 *
 * @param dueAt one month after the clock started; null while the clock has not started
 * @param extendedTo the due date after the one extension; null when not extended
 * @param reason why the request was rejected; null otherwise
 * @param restricted true while a completed restriction request holds the person's processing
 */
public record DataRequest(
        String requestId,
        RequestType type,
        String subjectId,
        String identifierKind,
        RequestStatus status,
        String outcome,
        List<String> purposes,
        Instant receivedAt,
        Instant clockStartedAt,
        Instant dueAt,
        Instant extendedTo,
        String extensionReason,
        String verificationHash,
        int verificationAttempts,
        Instant verificationExpires,
        String reason,
        boolean restricted,
        Instant liftedAt,
        Instant closedAt,
        String createdBy,
        Instant updatedAt) {

    public DataRequest {
        purposes = List.copyOf(purposes);
    }

    /** The date the answer is due now: the extended date when extended. */
    public Instant effectiveDue() {
        return extendedTo != null ? extendedTo : dueAt;
    }

    /** Open past its due date at {@code now}. */
    public boolean overdueAt(Instant now) {
        return !status.isClosed() && effectiveDue() != null && now.isAfter(effectiveDue());
    }

    /** Moved to {@code status} (with its outcome) at {@code now}; closed when the status is final. */
    public DataRequest moved(RequestStatus status, String outcome, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                extendedTo,
                extensionReason,
                verificationHash,
                verificationAttempts,
                verificationExpires,
                reason,
                restricted,
                liftedAt,
                status.isClosed() ? now : null,
                createdBy,
                now);
    }

    /** Rejected at {@code now} for {@code reason}. */
    public DataRequest rejected(String reason, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                RequestStatus.REJECTED,
                "rejected",
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                extendedTo,
                extensionReason,
                null,
                verificationAttempts,
                verificationExpires,
                reason,
                restricted,
                liftedAt,
                now,
                createdBy,
                now);
    }

    /** The clock started at {@code start}: due one month later. */
    public DataRequest clockStarted(Instant start, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                start,
                Deadlines.due(start),
                extendedTo,
                extensionReason,
                null,
                verificationAttempts,
                null,
                reason,
                restricted,
                liftedAt,
                closedAt,
                createdBy,
                now);
    }

    /** Extended once, to {@code to}, for {@code why}. */
    public DataRequest extended(Instant to, String why, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                to,
                why,
                verificationHash,
                verificationAttempts,
                verificationExpires,
                reason,
                restricted,
                liftedAt,
                closedAt,
                createdBy,
                now);
    }

    /** A new verification code (its hash) valid until {@code expires}. */
    public DataRequest verifying(String hash, Instant expires, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                extendedTo,
                extensionReason,
                hash,
                0,
                expires,
                reason,
                restricted,
                liftedAt,
                closedAt,
                createdBy,
                now);
    }

    /** One more wrong code. */
    public DataRequest failedAttempt(Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                extendedTo,
                extensionReason,
                verificationHash,
                verificationAttempts + 1,
                verificationExpires,
                reason,
                restricted,
                liftedAt,
                closedAt,
                createdBy,
                now);
    }

    /** The person's processing restricted ({@code true}) or the restriction lifted. */
    public DataRequest restriction(boolean on, Instant now) {
        return new DataRequest(
                requestId,
                type,
                subjectId,
                identifierKind,
                status,
                outcome,
                purposes,
                receivedAt,
                clockStartedAt,
                dueAt,
                extendedTo,
                extensionReason,
                verificationHash,
                verificationAttempts,
                verificationExpires,
                reason,
                on,
                on ? null : now,
                closedAt,
                createdBy,
                now);
    }
}
