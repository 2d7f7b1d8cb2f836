package dev.lethe.consent;

import java.time.Instant;

/**
 * One version of the account's privacy policy, as people were shown it: consents are given under
 * a version. A version that {@code requiresReconsent} makes every consent given under an earlier
 * one not current from its publication; a {@code material} one is announced to the people it
 * affects.
 */
public record PrivacyPolicyVersion(
        String version,
        String url,
        Instant publishedAt,
        boolean material,
        boolean requiresReconsent,
        Instant createdAt) {}
