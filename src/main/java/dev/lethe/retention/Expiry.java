package dev.lethe.retention;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * When a value's retention period is over, exactly, and which stored anchors that makes expired.
 *
 * <p>A rule's clock starts at an anchor (the moment of collection, the last activity, the end of a
 * contract…), stored as {@code anchor_at} with microsecond precision. The value expires at the
 * anchor plus the rule's periods, added in turn with calendar arithmetic in UTC, exactly as {@code
 * OffsetDateTime.plus(Period)} does: months are calendar months whose day is clamped to the end of
 * a shorter month, and the time of day is kept. So a value collected on 31 January with {@code P1M}
 * must be gone on 28 February (29 in a leap year): not on 3 March, as thirty-one days would have it,
 * and not a moment before its time either, since keeping a value too long and deleting it too soon
 * are both broken promises. A list of periods is a rule such as "inactive {@code P18M}, then {@code
 * P30D}": last activity + 18 months + 30 days.
 *
 * <p>A sweep must not read every row and compute its expiry, nor compute it in SQL (an expression
 * over the column defeats the index, and H2 and PostgreSQL need not agree on month arithmetic): it
 * deletes with range predicates on {@code anchor_at}, which the index {@code (account_id, rule_kind,
 * anchor_at)} answers directly.
 * One cut-off ({@code anchor_at < asOf - period}) is not exact, because clamping makes several
 * anchor dates reach the same expiry date while keeping each anchor's time of day: on 28 February
 * 2027 at 12:00 with {@code P1M}, 31 January at 01:00 is expired (its time came at 01:00) but 30
 * January at 23:00 is not (its time comes at 23:00). The expired anchors are still a union of a few
 * half-open ranges, which {@link #ranges} computes; each becomes one index range in the sweep.
 *
 * <p>Why the ranges are few: the map from an anchor's date to its expiry date is monotone
 * (never decreasing) and keeps the time of day. Let A be the date of {@code asOf}. Every date whose
 * image is before A is wholly expired, and these dates come first; the dates whose image is exactly
 * A are consecutive and expired up to {@code asOf}'s time of day; later dates are not expired. Each
 * date that reaches A gives one range, the first joined to the wholly expired dates before it. A
 * period with a month or year part clamps at most four consecutive dates into one (31, 30, 29 and
 * 28 January all reach 28 February 2027), so at most {@code 1 + 3 × (such periods)} dates reach A:
 * four ranges for one period, seven for two ({@code P1M334D} then {@code P1M} on 28 February 2027).
 */
public final class Expiry {

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private Expiry() {}

    /**
     * A half-open range {@code [from, to)} of anchor times.
     *
     * @param from the first anchor in the range; null: unbounded below
     * @param to the first anchor after the range
     */
    public record Range(Instant from, Instant to) {

        public Range {
            Objects.requireNonNull(to, "to");
            if (from != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
            }
        }

        /** Whether {@code t} is in the range. */
        public boolean contains(Instant t) {
            return (from == null || !t.isBefore(from)) && t.isBefore(to);
        }
    }

    /**
     * When a value anchored at {@code anchor} expires: the anchor plus each period in turn, in UTC
     * calendar arithmetic. An empty list adds nothing.
     *
     * @throws IllegalArgumentException if a period has a negative part
     * @throws DateTimeException if the result is beyond the supported dates
     */
    public static Instant expiresAt(Instant anchor, List<Period> periods) {
        checked(periods);
        var t = anchor.atOffset(ZoneOffset.UTC);
        for (Period p : periods) {
            t = t.plus(p);
        }
        return t.toInstant();
    }

    /**
     * Whether a value anchored at {@code anchor} is expired at {@code asOf}: its expiry is not after
     * {@code asOf}.
     *
     * @throws IllegalArgumentException if a period has a negative part
     */
    public static boolean expired(Instant anchor, List<Period> periods, Instant asOf) {
        return !expiresAt(anchor, periods).isAfter(asOf);
    }

    /**
     * Every anchor {@code t} with {@link #expired expired(t, periods, asOf)}, as the fewest sorted,
     * disjoint, non-adjacent ranges; the first is unbounded below. Exact for anchors at microsecond
     * precision, as {@code anchor_at} is stored; every bound is itself a whole microsecond, so a
     * database binds it without rounding.
     *
     * @throws IllegalArgumentException if a period has a negative part
     */
    public static List<Range> ranges(List<Period> periods, Instant asOf) {
        checked(periods);
        var at = asOf.atOffset(ZoneOffset.UTC);
        LocalDate asOfDate = at.toLocalDate();
        // An anchor on a date that reaches asOfDate is expired while its time of day is at most
        // asOf's, i.e. before asOf's time of day (to the microsecond) plus one microsecond.
        long untilMicros = at.toLocalTime().toNanoOfDay() / 1_000 + 1;

        LocalDate first = firstDate(periods, asOfDate, false); // image >= asOfDate
        LocalDate after = firstDate(periods, asOfDate, true); // image > asOfDate
        if (!first.isBefore(after)) {
            return List.of(new Range(null, startOf(first)));
        }
        if (untilMicros == MICROS_PER_DAY) {
            return List.of(new Range(null, startOf(after)));
        }
        var ranges = new ArrayList<Range>();
        ranges.add(new Range(null, startOf(first).plus(untilMicros, ChronoUnit.MICROS)));
        for (LocalDate d = first.plusDays(1); d.isBefore(after); d = d.plusDays(1)) {
            ranges.add(new Range(startOf(d), startOf(d).plus(untilMicros, ChronoUnit.MICROS)));
        }
        return List.copyOf(ranges);
    }

    /**
     * The first date whose image is at or after {@code target} ({@code strictly}: after it), by
     * binary search over the monotone map. Periods never go backwards, so the day after {@code
     * target} is always past it; and no period reaches further than 31 days a month, so a date that
     * far before {@code target} is always short of it.
     */
    private static LocalDate firstDate(List<Period> periods, LocalDate target, boolean strictly) {
        long reach = 0;
        for (Period p : periods) {
            reach += p.toTotalMonths() * 31 + p.getDays();
        }
        long below = target.toEpochDay() - reach - 1; // its image is short of target: never the answer
        long above = target.toEpochDay() + 1; // its image is past target: an answer, maybe not the first
        while (above - below > 1) {
            long mid = below + (above - below) / 2;
            int c = image(LocalDate.ofEpochDay(mid), periods).compareTo(target);
            if (c > 0 || (c == 0 && !strictly)) {
                above = mid;
            } else {
                below = mid;
            }
        }
        return LocalDate.ofEpochDay(above);
    }

    private static LocalDate image(LocalDate date, List<Period> periods) {
        for (Period p : periods) {
            date = date.plus(p);
        }
        return date;
    }

    private static Instant startOf(LocalDate date) {
        return date.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static void checked(List<Period> periods) {
        for (Period p : periods) {
            if (p.getYears() < 0 || p.getMonths() < 0 || p.getDays() < 0) {
                throw new IllegalArgumentException("a retention period cannot go back in time: " + p);
            }
        }
    }
}
