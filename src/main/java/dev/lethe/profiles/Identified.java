package dev.lethe.profiles;

import dev.lethe.consent.ConsentReport;
import java.util.List;

/**
 * The outcome of an identification: the profile, whether it is new, whether the visitor's
 * anonymous history joined it, identifiers that already belong to another profile (left there,
 * and their values not stored on this one), values dropped (switched-off categories) and fields
 * not stored because already expired, and what consent did ({@link ConsentReport}). An ingest key's
 * receipt leaves consent out: what it did depends on who the person is.
 */
public record Identified(
        String profileId,
        boolean created,
        boolean visitorJoined,
        List<String> conflicts,
        int dropped,
        List<String> expired,
        ConsentReport consent) {

    /**
     * What an ingest key is told: that the identification was accepted, with what the policy
     * alone decides (values of switched-off categories dropped, fields already expired) — the
     * same whether the person is new, known or erased (DESIGN promise 6).
     */
    public Receipt receipt() {
        return new Receipt(true, dropped, expired);
    }

    /** The answer to an ingest key. */
    public record Receipt(boolean accepted, int dropped, List<String> expired) {}
}
