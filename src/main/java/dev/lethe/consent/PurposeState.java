package dev.lethe.consent;

import java.time.Instant;

/**
 * Where a person stands on one purpose: the latest ledger entry for it — granted or not, when, under
 * which privacy-policy version, from which source — and whether a grant is still current (no later
 * version requiring re-consent has been published since, and the person is not a minor).
 */
public record PurposeState(
        String purpose,
        boolean granted,
        boolean current,
        Instant at,
        String policyVersion,
        String source,
        String consentId) {}
