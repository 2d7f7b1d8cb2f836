package dev.lethe.notices;

import java.time.Instant;
import java.util.Objects;

/**
 * What a notice states besides the policy itself: which version of the policy it was printed
 * from and since when that version is in force. {@code controllerOverride}, when not blank,
 * replaces the controller's name as the policy gives it (an operator may publish under its
 * trading name); the contact and address still come from the policy.
 */
public record NoticeContext(String controllerOverride, int policyVersion, Instant policySince, Instant asOf) {

    /**
     * A notice as of the moment it is printed: a processor whose {@code effectiveFrom} is after
     * {@code asOf} is listed as upcoming.
     */
    public NoticeContext(String controllerOverride, int policyVersion, Instant policySince) {
        this(
                controllerOverride,
                policyVersion,
                policySince,
                java.time.Clock.systemUTC().instant());
    }

    public NoticeContext {
        if (policyVersion < 0)
            throw new IllegalArgumentException("policyVersion must not be negative: " + policyVersion);
        Objects.requireNonNull(policySince, "policySince");
        Objects.requireNonNull(asOf, "asOf");
        if (controllerOverride != null && controllerOverride.isBlank()) controllerOverride = null;
    }
}
