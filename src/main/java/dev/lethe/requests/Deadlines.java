package dev.lethe.requests;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The legal deadlines of a request. GDPR Art. 12(3): an answer is due "within one month of
 * receipt of the request", extendable "by two further months where necessary". A month is a
 * calendar month counted in UTC: 31 January is due on the last day of February (28 or 29),
 * 31 December on 31 January, 29 February 2028 on 29 March ({@code plusMonths} clamps to the end
 * of a shorter month). When the person's identity must be verified first, the clock starts when
 * the verification completes.
 */
public final class Deadlines {

    /** The longest extension the law allows, in months after the first month. */
    public static final int MAX_EXTENSION_MONTHS = 2;

    private Deadlines() {}

    /** When an answer is due for a request whose clock started at {@code clockStart}. */
    public static Instant due(Instant clockStart) {
        return plusMonths(clockStart, 1);
    }

    /** The due date after an extension of {@code months} (1 or 2) further months. */
    public static Instant extended(Instant clockStart, int months) {
        return plusMonths(clockStart, 1 + months);
    }

    /** The latest date an extension may reach: three months after the clock started. */
    public static Instant latestExtension(Instant clockStart) {
        return extended(clockStart, MAX_EXTENSION_MONTHS);
    }

    private static Instant plusMonths(Instant start, int months) {
        return start.atZone(ZoneOffset.UTC).plusMonths(months).toInstant();
    }
}
