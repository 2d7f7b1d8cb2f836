package dev.lethe.registry;

import dev.lethe.errors.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The values of one incoming item sorted by the policy: kept under their category, dropped (a
 * switched-off optional category), already expired at their collection time (not stored), or
 * refused (no category), each refusal with its path. Identify, track and messages all take in
 * values this one way.
 *
 * @param <T> the value type (kept opaque: it is personal)
 */
public record Intake<T>(List<Kept<T>> kept, int dropped, List<String> expired, List<FieldError> refused) {
    /**
     * What an event type must look like: a name — a letter, then letters, digits, spaces and
     * {@code _ . : / -}, at most 100 characters. Event types are stored in the clear (events,
     * sessions, counts), so they must be names, never free text that could hold a person's email
     * or phone number.
     */
    public static final Pattern EVENT_TYPE = Pattern.compile("\\p{L}[\\p{L}\\p{N} _.:/-]{0,99}");

    /** What a caller is told when an event type is not a name. */
    public static final String EVENT_TYPE_EXPECTED =
            "must be a name: a letter, then letters, digits, spaces or _ . : / - (at most 100 characters),"
                    + " such as page_view or Order Completed";

    /** True when the text is an event type (see {@link #EVENT_TYPE}). */
    public static boolean isEventType(String type) {
        return type != null && EVENT_TYPE.matcher(type).matches();
    }

    /**
     * How far ahead of the server's clock an item's time may be: clients' clocks drift, but an
     * item from further ahead is a mistake (and would outlive its retention from "now").
     */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /** Whether an item's time is further ahead of {@code now} than {@link #CLOCK_SKEW} allows. */
    public static boolean inTheFuture(Instant ts, Instant now) {
        return ts.isAfter(now.plus(CLOCK_SKEW));
    }

    /** A value to store under {@code category}. */
    public record Kept<T>(String field, String category, T value) {}

    /**
     * Sorts {@code values} (by field path; a field may carry several values) collected at
     * {@code collectedAt}. Refusals are reported at {@code pathPrefix + field}.
     */
    public static <T> Intake<T> sort(
            Map<String, List<T>> values,
            Function<String, Classification> classify,
            Instant collectedAt,
            Instant now,
            String pathPrefix) {
        var kept = new ArrayList<Kept<T>>();
        var expired = new ArrayList<String>();
        var refused = new ArrayList<FieldError>();
        int dropped = 0;
        for (var field : values.entrySet()) {
            switch (classify.apply(field.getKey())) {
                case Classification.Rejected r -> refused.add(new FieldError(pathPrefix + field.getKey(), r.reason()));
                case Classification.Dropped d -> dropped += field.getValue().size();
                case Classification.Kept k -> {
                    var expiry = k.category().retention().expiryByCollection(collectedAt);
                    if (expiry.isPresent() && !expiry.get().isAfter(now)) expired.add(field.getKey());
                    else
                        field.getValue()
                                .forEach(v -> kept.add(
                                        new Kept<>(field.getKey(), k.category().name(), v)));
                }
            }
        }
        return new Intake<>(kept, dropped, expired, refused);
    }
}
