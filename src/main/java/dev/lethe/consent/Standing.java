package dev.lethe.consent;

import java.util.Map;

/**
 * A person's consents as ingest and profiles need them: the latest state of each purpose they
 * answered for, and whether they are a minor (then nothing consent-based is allowed, whatever the
 * ledger says).
 */
public record Standing(Map<String, PurposeState> purposes, boolean minor) {

    /** A person Lethe has no consent of: nothing consent-based is allowed. */
    public static final Standing NONE = new Standing(Map.of(), false);

    public Standing {
        purposes = Map.copyOf(purposes);
    }

    /** Whether a current grant exists for the purpose (never for a minor). */
    public boolean grants(String purpose) {
        if (minor) return false;
        var s = purposes.get(purpose);
        return s != null && s.granted() && s.current();
    }

    /** Whether the latest word on the purpose is a withdrawal or an objection. */
    public boolean objects(String purpose) {
        var s = purposes.get(purpose);
        return s != null && !s.granted();
    }
}
