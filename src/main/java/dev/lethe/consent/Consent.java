package dev.lethe.consent;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of the consent ledger: a person's grants and withdrawals for some purposes, given at
 * one time under one privacy-policy version, from one source, with its proof. Never changed once
 * written: a later entry supersedes it purpose by purpose.
 *
 * @param policyVersion null for an objection recorded before the account published any policy
 * @param proofForm the banner or form version the person answered, as the account labels it
 * @param proofIpHash the keyed hash (the account's blind-index key) of the address the person
 *     answered from; the address itself is never kept
 * @param purposes purpose → granted, in the order given
 */
public record Consent(
        String consentId,
        String subjectId,
        String policyVersion,
        String source,
        Instant consentedAt,
        Instant recordedAt,
        String proofForm,
        String proofIpHash,
        Map<String, Boolean> purposes) {

    public Consent {
        purposes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(purposes));
    }
}
