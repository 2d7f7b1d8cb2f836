package dev.lethe.registry;

import java.time.Instant;

/**
 * One accepted policy, immutable: its number, its text (as submitted, with any custom fields Lethe
 * added, kept or removed written in), the policy read from it, who
 * submitted it (a key id) and when.
 */
public record PolicyVersion(
        String accountId,
        int version,
        String source,
        String mediaType,
        Policy policy,
        String author,
        Instant createdAt) {

    /** Whether its text is JSON (else YAML). */
    public boolean isJson() {
        return mediaType.contains("json");
    }

    /** Its text as YAML: as written when it was YAML, else its JSON document in YAML. */
    public String yaml() {
        return PolicyText.yaml(source, isJson());
    }
}
