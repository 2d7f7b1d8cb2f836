package dev.lethe.activity;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The event times the store has room for: whole calendar months (UTC) from {@code from} up to, not
 * including, {@code to}. On PostgreSQL each month is a partition of events made ahead of time by
 * {@link Partitions}; H2 has no partitions but refuses the same times, so both engines behave alike.
 */
public record EventTimes(YearMonth from, YearMonth to) {

    /** Nothing accepted (before the partition job has run). */
    public static final EventTimes NONE = new EventTimes(YearMonth.of(1970, 1), YearMonth.of(1970, 1));

    /** The months from {@code back} months before the month of {@code now} to {@code ahead} after it. */
    public static EventTimes around(Instant now, int back, int ahead) {
        YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
        return new EventTimes(current.minusMonths(back), current.plusMonths(ahead + 1L));
    }

    public boolean contains(Instant t) {
        return !t.isBefore(start()) && t.isBefore(end());
    }

    /** The months of both ranges; empty when they do not overlap. */
    public EventTimes intersect(EventTimes other) {
        YearMonth f = from.isAfter(other.from) ? from : other.from;
        YearMonth t = to.isBefore(other.to) ? to : other.to;
        return f.isBefore(t) ? new EventTimes(f, t) : NONE;
    }

    public List<YearMonth> months() {
        var out = new ArrayList<YearMonth>();
        for (var m = from; m.isBefore(to); m = m.plusMonths(1)) out.add(m);
        return out;
    }

    public Instant start() {
        return startOf(from);
    }

    public Instant end() {
        return startOf(to);
    }

    /** The refusal for a time outside the range, naming the range. */
    public String problem() {
        if (from.equals(to)) return "cannot be stored yet: no month of events has been prepared";
        return "is outside the accepted range of event times: from " + start() + " up to (not including) " + end();
    }

    static Instant startOf(YearMonth month) {
        LocalDate first = month.atDay(1);
        return first.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
