package dev.lethe.accounts;

import java.time.Instant;
import java.time.Period;

/**
 * The operator's approval for one account to keep a category or record kind longer than the
 * platform default allows ({@code target} is {@code categories.<name>} or {@code records.<name>}).
 */
public record RetentionExtension(
        String accountId, String target, Period maxPeriod, String reason, String approvedBy, Instant approvedAt) {}
