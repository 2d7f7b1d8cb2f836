package dev.lethe.activity;

import dev.lethe.audit.Actor;
import dev.lethe.audit.AuditEvent;
import dev.lethe.consent.ConsentReport;
import dev.lethe.errors.FieldError;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What became of a batch: how many events were stored, which were refused and why, how many
 * values were dropped (their optional category is switched off), which were already past their
 * retention when they arrived, so were not stored, how many items were dropped because they name a
 * person erased a short while ago (the suppression list; policy {@code ingest.afterErasure}), and
 * what consent did ({@link ConsentReport}: values not stored for want of a current consent, minors,
 * Global Privacy Control applied).
 */
public record TrackResult(
        int accepted,
        List<Rejected> rejected,
        int dropped,
        List<Expired> expired,
        int suppressed,
        ConsentReport consent) {

    /** An event refused, with every reason. */
    public record Rejected(int index, List<FieldError> errors) {}

    /**
     * Something not stored because its retention had already run out: a value (its field path) or
     * the whole event ({@code field} is {@code event}) when the event record's retention had.
     */
    public record Expired(int index, String field) {}

    /** The result of a batch, rejections in index order. */
    static TrackResult of(
            int accepted,
            Map<Integer, List<FieldError>> rejected,
            int dropped,
            List<Expired> expired,
            int suppressed,
            ConsentReport consent) {
        var rejections = rejected.entrySet().stream()
                .map(r -> new Rejected(r.getKey(), r.getValue()))
                .sorted(Comparator.comparingInt(Rejected::index))
                .toList();
        return new TrackResult(accepted, rejections, dropped, expired, suppressed, consent);
    }

    /** The audit entry of a batch: counts only, no person named. */
    AuditEvent auditEvent(String accountId, Actor actor, String action) {
        return AuditEvent.ok(
                accountId,
                actor,
                action,
                List.of(),
                Map.of(
                        "accepted",
                        accepted,
                        "rejected",
                        rejected.size(),
                        "expired",
                        expired.size(),
                        "suppressed",
                        suppressed,
                        "consentDropped",
                        consent.dropped(),
                        "gpc",
                        consent.gpc()));
    }
}
