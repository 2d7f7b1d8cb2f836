package dev.lethe.requests;

import java.time.Instant;
import java.util.List;

/**
 * A request as the API answers it.
 *
 * @param subjectId the person's id; null when Lethe holds nothing on the identifier given
 * @param outcome what the request came to: not_found, erased (the person's key was destroyed
 *     earlier), restricted, lifted, objected, rectified, delivered, rejected; null while open
 * @param dueAt when the answer is due (the extended date once extended); null until the clock starts
 * @param verificationAttemptsLeft wrong codes still allowed while awaiting verification
 * @param receipt the erasure's receipt, on the answer that completed an erasure
 */
public record RequestView(
        String id,
        String type,
        String status,
        String outcome,
        String subjectId,
        String identifiedBy,
        List<String> purposes,
        Instant receivedAt,
        Instant clockStartedAt,
        Instant dueAt,
        Instant originalDueAt,
        String extensionReason,
        boolean overdue,
        String reason,
        boolean restricted,
        Instant liftedAt,
        Instant closedAt,
        Integer verificationAttemptsLeft,
        com.fasterxml.jackson.databind.JsonNode receipt) {

    static RequestView of(DataRequest r, Instant now) {
        return of(r, now, null);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper RECEIPTS =
            new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();

    static RequestView of(DataRequest r, Instant now, Object receipt) {
        return new RequestView(
                r.requestId(),
                r.type().wireName(),
                r.status().wireName(),
                r.outcome(),
                r.subjectId(),
                r.identifierKind(),
                r.purposes(),
                r.receivedAt(),
                r.clockStartedAt(),
                r.effectiveDue(),
                r.dueAt(),
                r.extensionReason(),
                r.overdueAt(now),
                r.reason(),
                r.restricted(),
                r.liftedAt(),
                r.closedAt(),
                r.status() == RequestStatus.AWAITING_VERIFICATION
                        ? Math.max(0, VerificationCodes.MAX_ATTEMPTS - r.verificationAttempts())
                        : null,
                receipt == null ? null : RECEIPTS.valueToTree(receipt));
    }

    /** A page of the queue. */
    public record Page(List<RequestView> requests, String nextCursor) {}
}
