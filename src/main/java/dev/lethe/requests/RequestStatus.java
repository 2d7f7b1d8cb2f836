package dev.lethe.requests;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where a request stands: received, then (when the person's identity must be checked first)
 * awaiting verification, in progress, and finally completed or rejected with a reason.
 */
public enum RequestStatus {
    RECEIVED("received"),
    AWAITING_VERIFICATION("awaiting_verification"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed"),
    REJECTED("rejected");

    private final String wireName;

    RequestStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RequestStatus> fromWire(String text) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(text)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(RequestStatus::wireName).toList();
    }

    /** Completed and rejected requests change no more. */
    public boolean isClosed() {
        return this == COMPLETED || this == REJECTED;
    }
}
