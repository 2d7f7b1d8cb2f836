package dev.lethe.registry;

import java.time.LocalDate;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** ISO-8601 periods as policies write them ({@code P120D}, {@code P18M}, {@code P3Y}). */
public final class Durations {

    private static final LocalDate REFERENCE = LocalDate.of(2001, 1, 1);

    private Durations() {}
    /** The longest period a policy may give: a retention rule, an inactivity, an operator bound. */
    public static final Period LONGEST = Period.ofYears(100);

    /**
     * True when a period is longer than {@link #LONGEST}. Periods with far more months or days are
     * refused before any date is counted with them: a billion years overflows every calendar.
     */
    public static boolean tooLong(Period p) {
        if (p.toTotalMonths() > LONGEST.toTotalMonths() || p.getDays() > 366L * LONGEST.getYears()) return true;
        return exceeds(p, LONGEST);
    }

    /** A non-negative period of years, months, weeks and days; empty when the text is not one. */
    public static Optional<Period> parsePeriod(String text) {
        if (text == null) return Optional.empty();
        try {
            Period p = Period.parse(text.strip());
            return p.isNegative() ? Optional.empty() : Optional.of(p);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Orders periods by their length from a fixed reference date, so {@code P12M} equals {@code P1Y}
     * and {@code P365D} is a little shorter than {@code P1Y} in a leap-year span.
     */
    public static int compare(Period a, Period b) {
        return Long.compare(days(a), days(b));
    }

    /**
     * True when a period counted from some day ends later than another counted from the same day.
     * Months and years vary in length, so neither {@code P2M} nor {@code P60D} is within the other:
     * from 1 July, two months are 62 days; from 1 February 2025, 59. A bound must hold from every
     * day, so it is checked from every day of a leap cycle and of the four years around a
     * century that is not a leap year.
     */
    public static boolean exceeds(Period a, Period b) {
        if (a.equals(b)) return false;
        for (LocalDate cycle : CYCLES) {
            for (LocalDate d = cycle; d.isBefore(cycle.plusYears(4)); d = d.plusDays(1)) {
                if (d.plus(a).isAfter(d.plus(b))) return true;
            }
        }
        return false;
    }

    private static final List<LocalDate> CYCLES = List.of(LocalDate.of(2000, 1, 1), LocalDate.of(2097, 1, 1));

    public static long days(Period p) {
        return ChronoUnit.DAYS.between(REFERENCE, REFERENCE.plus(p));
    }

    /** Plain words for a notice: {@code P18M} → "18 months", {@code P1Y} → "1 year". */
    public static String words(Period p) {
        if (p.isZero()) return "immediately";
        var parts = new ArrayList<String>();
        if (p.getYears() != 0) parts.add(unit(p.getYears(), "year"));
        if (p.getMonths() != 0) parts.add(unit(p.getMonths(), "month"));
        if (p.getDays() != 0) parts.add(unit(p.getDays(), "day"));
        return String.join(" ", parts);
    }

    private static String unit(int n, String name) {
        return n + " " + name + (n == 1 ? "" : "s");
    }
}
