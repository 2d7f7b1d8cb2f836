package dev.lethe.activity;

import dev.lethe.errors.FieldError;
import java.util.List;

/**
 * What became of a batch: how many events were stored, which were refused and why, how many
 * values were dropped (their optional category is switched off) and which were already past their
 * retention when they arrived, so were not stored.
 */
public record TrackResult(int accepted, List<Rejected> rejected, int dropped, List<Expired> expired) {

    /** An event refused, with every reason. */
    public record Rejected(int index, List<FieldError> errors) {}

    /**
     * Something not stored because its retention had already run out: a value (its field path) or
     * the whole event ({@code field} is {@code event}) when the event record's retention had.
     */
    public record Expired(int index, String field) {}
}
