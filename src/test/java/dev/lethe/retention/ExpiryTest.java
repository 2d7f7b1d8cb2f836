package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.retention.Expiry.Range;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The date arithmetic of retention: when a value expires, and the anchor ranges a sweep deletes. */
class ExpiryTest {

    static final Period ONE_MONTH = Period.ofMonths(1);
    static final Instant FEB_28_2027_NOON = Instant.parse("2027-02-28T12:00:00Z");

    @Test
    void aValueCollectedOn31JanuaryWithOneMonthExpiresOnTheLastDayOfFebruaryAtTheSameTime() {
        assertThat(Expiry.expiresAt(Instant.parse("2027-01-31T10:15:30.123456Z"), List.of(ONE_MONTH)))
                .isEqualTo("2027-02-28T10:15:30.123456Z");
        assertThat(Expiry.expiresAt(Instant.parse("2028-01-31T10:15:30.123456Z"), List.of(ONE_MONTH)))
                .isEqualTo("2028-02-29T10:15:30.123456Z");
    }

    @Test
    void aPeriodInDaysCountsDays() {
        assertThat(Expiry.expiresAt(Instant.parse("2027-01-01T00:00:00Z"), List.of(Period.parse("P120D"))))
                .as("31 + 28 + 31 + 30 days to 1 May")
                .isEqualTo("2027-05-01T00:00:00Z");
        assertThat(Expiry.expiresAt(Instant.parse("2028-01-01T00:00:00Z"), List.of(Period.parse("P120D"))))
                .as("a leap year has 29 February")
                .isEqualTo("2028-04-30T00:00:00Z");
    }

    @Test
    void inactiveEighteenMonthsThenThirtyDaysAddsTheMonthsFirst() {
        var rule = List.of(Period.parse("P18M"), Period.parse("P30D"));
        var lastActivity = Instant.parse("2025-08-31T08:00:00Z");

        assertThat(Expiry.expiresAt(lastActivity, rule))
                .as("31 August 2025 + 18 months = 28 February 2027, + 30 days = 30 March")
                .isEqualTo("2027-03-30T08:00:00Z");
        assertThat(Expiry.expired(lastActivity, rule, Instant.parse("2027-03-30T07:59:59.999999Z")))
                .isFalse();
        assertThat(Expiry.expired(lastActivity, rule, Instant.parse("2027-03-30T08:00:00Z")))
                .isTrue();
    }

    @Test
    void aLeapDayPlusAYearIsThe28thOfFebruary() {
        assertThat(Expiry.expiresAt(Instant.parse("2028-02-29T06:00:00Z"), List.of(Period.ofYears(1))))
                .isEqualTo("2029-02-28T06:00:00Z");
    }

    @Test
    void yearsAndMonthsOfOnePeriodAreOneCountOfMonthsButTwoPeriodsClampTwice() {
        var leapDay = Instant.parse("2028-02-29T06:00:00Z");

        assertThat(Expiry.expiresAt(leapDay, List.of(Period.parse("P1Y1M"))))
                .as("thirteen months from 29 February 2028")
                .isEqualTo("2029-03-29T06:00:00Z");
        assertThat(Expiry.expiresAt(leapDay, List.of(Period.parse("P1Y"), Period.parse("P1M"))))
                .as("a year to 28 February 2029, then a month")
                .isEqualTo("2029-03-28T06:00:00Z");
    }

    @Test
    void withNoPeriodAValueIsExpiredFromItsAnchorOn() {
        var asOf = Instant.parse("2027-06-15T09:30:00.000250Z");
        for (List<Period> none : List.of(List.<Period>of(), List.of(Period.ZERO))) {
            assertThat(Expiry.expiresAt(asOf, none)).isEqualTo(asOf);
            assertThat(Expiry.expired(asOf, none, asOf)).isTrue();
            assertThat(Expiry.expired(asOf.plus(1, ChronoUnit.MICROS), none, asOf))
                    .isFalse();
            assertThat(Expiry.ranges(none, asOf))
                    .containsExactly(new Range(null, Instant.parse("2027-06-15T09:30:00.000251Z")));
        }
    }

    @Test
    void theExpiredAnchorsAreNotOneRangeWhenSeveralDatesReachTheSameDay() {
        var rule = List.of(ONE_MONTH);

        assertThat(Expiry.expired(Instant.parse("2027-01-31T01:00:00Z"), rule, FEB_28_2027_NOON))
                .as("its time came at 01:00")
                .isTrue();
        assertThat(Expiry.expired(Instant.parse("2027-01-30T23:00:00Z"), rule, FEB_28_2027_NOON))
                .as("its time comes at 23:00")
                .isFalse();
        assertThat(Expiry.ranges(rule, FEB_28_2027_NOON))
                .as("28, 29, 30 and 31 January all reach 28 February, each up to noon")
                .containsExactly(
                        new Range(null, Instant.parse("2027-01-28T12:00:00.000001Z")),
                        new Range(Instant.parse("2027-01-29T00:00:00Z"), Instant.parse("2027-01-29T12:00:00.000001Z")),
                        new Range(Instant.parse("2027-01-30T00:00:00Z"), Instant.parse("2027-01-30T12:00:00.000001Z")),
                        new Range(Instant.parse("2027-01-31T00:00:00Z"), Instant.parse("2027-01-31T12:00:00.000001Z")));
    }

    @Test
    void onADayNoAnchorReachesEveryEarlierDateIsWhollyExpired() {
        assertThat(Expiry.ranges(List.of(ONE_MONTH), Instant.parse("2027-03-30T12:00:00Z")))
                .as("28 February reaches 28 March, 1 March reaches 1 April")
                .containsExactly(new Range(null, Instant.parse("2027-03-01T00:00:00Z")));
    }

    @Test
    void atTheLastMicrosecondOfTheDayTheRangesJoin() {
        assertThat(Expiry.ranges(List.of(ONE_MONTH), Instant.parse("2027-02-28T23:59:59.999999Z")))
                .containsExactly(new Range(null, Instant.parse("2027-02-01T00:00:00Z")));
    }

    @Test
    void atMidnightOnlyMidnightAnchorsOfTheReachingDatesAreExpired() {
        assertThat(Expiry.ranges(List.of(ONE_MONTH), Instant.parse("2027-04-30T00:00:00Z")))
                .as("30 and 31 March reach 30 April")
                .containsExactly(
                        new Range(null, Instant.parse("2027-03-30T00:00:00.000001Z")),
                        new Range(Instant.parse("2027-03-31T00:00:00Z"), Instant.parse("2027-03-31T00:00:00.000001Z")));
    }

    @Test
    void anAsOfBetweenMicrosecondsGivesBoundsOnWholeMicroseconds() {
        var asOf = Instant.parse("2027-06-15T09:30:00.000250999Z");

        assertThat(Expiry.ranges(List.of(Period.ofDays(1)), asOf))
                .containsExactly(new Range(null, Instant.parse("2027-06-14T09:30:00.000251Z")));
        assertThat(Expiry.expired(Instant.parse("2027-06-14T09:30:00.000250Z"), List.of(Period.ofDays(1)), asOf))
                .isTrue();
    }

    @Test
    void twoPeriodsWithMonthsCanClampSevenDatesIntoOne() {
        // The last month clamps 28–31 January 2027 into 28 February; 334 days back they are
        // 28 February – 3 March 2026, and the first month clamps 28–31 January 2026 into 28 February.
        var rule = List.of(Period.parse("P1M334D"), ONE_MONTH);

        var ranges = Expiry.ranges(rule, FEB_28_2027_NOON);

        assertThat(ranges).hasSize(7);
        assertThat(ranges.getFirst()).isEqualTo(new Range(null, Instant.parse("2026-01-28T12:00:00.000001Z")));
        assertThat(ranges.getLast())
                .isEqualTo(
                        new Range(Instant.parse("2026-02-03T00:00:00Z"), Instant.parse("2026-02-03T12:00:00.000001Z")));
        assertThat(Expiry.expiresAt(Instant.parse("2026-02-03T12:00:00Z"), rule))
                .isEqualTo(FEB_28_2027_NOON);
        assertThat(Expiry.expiresAt(Instant.parse("2026-01-28T12:00:00Z"), rule))
                .isEqualTo(FEB_28_2027_NOON);
    }

    @Test
    void aPeriodGoingBackInTimeIsRefused() {
        var anchor = Instant.parse("2027-01-31T00:00:00Z");
        for (Period back : List.of(Period.ofDays(-1), Period.of(1, -1, 0), Period.of(-1, 13, 0))) {
            var rule = List.of(Period.ofMonths(1), back);
            assertThatThrownBy(() -> Expiry.expiresAt(anchor, rule)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Expiry.expired(anchor, rule, anchor)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Expiry.ranges(rule, anchor)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void forRulesWithTwoClampsTheRangesHoldExactlyTheExpiredAnchorsOnEveryDayOfFourYears() {
        var rules = List.of(
                List.of(ONE_MONTH, ONE_MONTH),
                List.of(Period.parse("P1M334D"), ONE_MONTH),
                List.of(Period.parse("P18M"), Period.parse("P30D")),
                List.of(Period.ofYears(1), ONE_MONTH),
                List.of(Period.parse("P6M"), Period.parse("P3Y")));
        var random = new Random(18L);
        int most = 0;
        for (List<Period> rule : rules) {
            for (LocalDate d = LocalDate.of(2026, 1, 1); d.isBefore(LocalDate.of(2030, 1, 1)); d = d.plusDays(1)) {
                for (LocalTime time : List.of(LocalTime.MIDNIGHT, LocalTime.NOON, LocalTime.MAX)) {
                    var asOf = d.atTime(time).toInstant(ZoneOffset.UTC);
                    var ranges = Expiry.ranges(rule, asOf);
                    String described = rule + " as of " + asOf + " → " + ranges;
                    assertWellFormed(ranges, described);
                    most = Math.max(most, ranges.size());
                    for (Instant anchor : anchorsNear(ranges, rule, asOf, random)) {
                        assertThat(ranges.stream().anyMatch(r -> r.contains(anchor)))
                                .as("anchor %s in %s", anchor, described)
                                .isEqualTo(Expiry.expired(anchor, rule, asOf));
                    }
                }
            }
        }
        assertThat(most).as("the bound of 1 + 3 × 2 ranges is reached").isEqualTo(7);
    }

    @Test
    void theRangesHoldExactlyTheExpiredAnchors() {
        var random = new Random(20270228L);
        int cases = 4000;
        int anchorsChecked = 0;
        int expiredSeen = 0;
        int[] byCount = new int[8];

        for (int i = 0; i < cases; i++) {
            var rule = randomRule(random);
            var asOf = randomAsOf(random, rule);
            var ranges = Expiry.ranges(rule, asOf);
            String described = rule + " as of " + asOf + " → " + ranges;

            assertWellFormed(ranges, described);
            long clamping = rule.stream()
                    .filter(p -> p.getYears() != 0 || p.getMonths() != 0)
                    .count();
            assertThat(ranges.size()).as(described).isLessThanOrEqualTo((int) (1 + 3 * clamping));
            byCount[ranges.size()]++;

            for (Instant anchor : anchorsNear(ranges, rule, asOf, random)) {
                boolean expired = Expiry.expired(anchor, rule, asOf);
                assertThat(expired)
                        .as("expired(%s) per the calendar, %s", anchor, described)
                        .isEqualTo(!calendarExpiry(anchor, rule).isAfter(asOf));
                assertThat(ranges.stream().anyMatch(r -> r.contains(anchor)))
                        .as("anchor %s in %s", anchor, described)
                        .isEqualTo(expired);
                anchorsChecked++;
                expiredSeen += expired ? 1 : 0;
            }
        }

        // The generator reaches the cases that matter: expired and kept anchors, and several
        // dates reaching the day of asOf.
        assertThat(expiredSeen).isBetween(anchorsChecked / 5, anchorsChecked * 4 / 5);
        int several = 0;
        int fourOrMore = 0;
        for (int count = 2; count < byCount.length; count++) {
            several += byCount[count];
            fourOrMore += count >= 4 ? byCount[count] : 0;
        }
        assertThat(byCount[1]).isGreaterThan(cases / 4);
        assertThat(several).isGreaterThan(cases / 20);
        assertThat(fourOrMore).isGreaterThan(20);
    }

    static void assertWellFormed(List<Range> ranges, String described) {
        assertThat(ranges).as(described).isNotEmpty();
        assertThat(ranges.getFirst().from()).as(described).isNull();
        for (int k = 0; k < ranges.size(); k++) {
            var r = ranges.get(k);
            if (r.from() != null) {
                assertThat(r.from()).as(described).isBefore(r.to());
            }
            if (k > 0) {
                assertThat(r.from())
                        .as("sorted, disjoint, not adjacent: " + described)
                        .isAfter(ranges.get(k - 1).to());
            }
            assertThat(r.to().getNano() % 1_000)
                    .as("whole microseconds: " + described)
                    .isZero();
            if (r.from() != null) {
                assertThat(r.from().getNano() % 1_000).as(described).isZero();
            }
        }
    }

    /** The expiry as the calendar gives it, through ZonedDateTime rather than Expiry's own path. */
    static Instant calendarExpiry(Instant anchor, List<Period> rule) {
        ZonedDateTime t = ZonedDateTime.ofInstant(anchor, ZoneOffset.UTC);
        for (Period p : rule) {
            t = t.plus(p);
        }
        return t.toInstant();
    }

    /**
     * Anchors where a mistake would show: each range's edges ±1µs, and around asOf minus the
     * periods (a few days either side) at midnight, at asOf's time of day ±1µs, at the last
     * microsecond of the day and at random microseconds.
     */
    static List<Instant> anchorsNear(List<Range> ranges, List<Period> rule, Instant asOf, Random random) {
        var anchors = new ArrayList<Instant>();
        for (Range r : ranges) {
            for (Instant edge : r.from() == null ? List.of(r.to()) : List.of(r.from(), r.to())) {
                anchors.add(edge.minus(1, ChronoUnit.MICROS));
                anchors.add(edge);
                anchors.add(edge.plus(1, ChronoUnit.MICROS));
            }
        }
        var back = ZonedDateTime.ofInstant(asOf, ZoneOffset.UTC);
        for (Period p : rule.reversed()) {
            back = back.minus(p);
        }
        LocalDate around = back.toLocalDate();
        LocalTime timeOfDay = asOf.atOffset(ZoneOffset.UTC).toLocalTime().truncatedTo(ChronoUnit.MICROS);
        for (int d = -4; d <= 4; d++) {
            Instant day = around.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
            anchors.add(day);
            anchors.add(day.plus(1, ChronoUnit.MICROS));
            anchors.add(day.plus(86_400_000_000L - 1, ChronoUnit.MICROS));
            Instant sameTime = day.plusNanos(timeOfDay.toNanoOfDay());
            anchors.add(sameTime.minus(1, ChronoUnit.MICROS));
            anchors.add(sameTime);
            anchors.add(sameTime.plus(1, ChronoUnit.MICROS));
            anchors.add(day.plus(randomMicrosOfDay(random), ChronoUnit.MICROS));
        }
        for (int k = 0; k < 10; k++) {
            Instant day = around.plusDays(random.nextInt(-40, 41))
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
            anchors.add(day.plus(randomMicrosOfDay(random), ChronoUnit.MICROS));
        }
        return anchors;
    }

    /** One or two periods of days (0–400), months (0–30), years (0–8), or a combination. */
    static List<Period> randomRule(Random random) {
        var rule = new ArrayList<Period>();
        int n = random.nextInt(1, 3);
        for (int k = 0; k < n; k++) {
            int years = random.nextInt(9);
            int months = random.nextInt(31);
            int days = random.nextInt(401);
            rule.add(
                    switch (random.nextInt(8)) {
                        case 0 -> Period.ofDays(days);
                        case 1, 2 -> Period.ofMonths(months);
                        case 3 -> Period.ofYears(years);
                        case 4 -> Period.of(years, months, 0);
                        case 5 -> Period.of(0, months, days);
                        case 6 -> Period.of(years, months, days);
                        default -> random.nextBoolean() ? Period.ZERO : Period.of(years, 0, days);
                    });
        }
        return rule;
    }

    /**
     * A moment in 2020–2035, often on a day that a month's last days reach through the rule (where
     * several dates may reach one), or at a month's end or start; at midnight, at the day's last µs,
     * at random microseconds or nanoseconds.
     */
    static Instant randomAsOf(Random random, List<Period> rule) {
        var month = LocalDate.of(random.nextInt(2020, 2036), random.nextInt(1, 13), 1);
        LocalDate date = switch (random.nextInt(14)) {
            case 0, 1, 2 -> month.withDayOfMonth(month.lengthOfMonth());
            case 3 -> month.withMonth(2).withDayOfMonth(month.withMonth(2).lengthOfMonth());
            case 4 -> month;
            case 5 -> month.withDayOfMonth(Math.min(30, month.lengthOfMonth()) - random.nextInt(3));
            case 6, 7, 8, 9 -> {
                LocalDate reached = month.minusYears(8).withDayOfMonth(month.lengthOfMonth() - random.nextInt(4));
                for (Period p : rule) {
                    reached = reached.plus(p);
                }
                yield reached;
            }
            default -> month.withDayOfMonth(random.nextInt(1, month.lengthOfMonth() + 1));
        };
        Instant day = date.atStartOfDay(ZoneOffset.UTC).toInstant();
        return switch (random.nextInt(10)) {
            case 0, 1 -> day;
            case 2, 3 -> day.plus(86_400_000_000L - 1, ChronoUnit.MICROS);
            case 4 -> day.plus(12, ChronoUnit.HOURS);
            case 5 -> day.plusNanos(random.nextLong(86_400_000_000_000L));
            default -> day.plus(randomMicrosOfDay(random), ChronoUnit.MICROS);
        };
    }

    static long randomMicrosOfDay(Random random) {
        return random.nextLong(86_400_000_000L);
    }
}
