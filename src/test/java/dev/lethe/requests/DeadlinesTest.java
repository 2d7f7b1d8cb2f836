package dev.lethe.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One calendar month after receipt, clamped to the end of a shorter month; extensions by two more at most. */
class DeadlinesTest {

    @Test
    void the31stOfJanuaryIsDueOnTheLastDayOfFebruaryIn2026AndInTheLeapYear2028() {
        assertThat(Deadlines.due(Instant.parse("2026-01-31T09:30:00Z")))
                .isEqualTo(Instant.parse("2026-02-28T09:30:00Z"));
        assertThat(Deadlines.due(Instant.parse("2028-01-31T09:30:00Z")))
                .isEqualTo(Instant.parse("2028-02-29T09:30:00Z"));
    }

    @Test
    void the29thOfFebruaryIsDueOnThe29thOfMarch() {
        assertThat(Deadlines.due(Instant.parse("2028-02-29T23:59:59Z")))
                .isEqualTo(Instant.parse("2028-03-29T23:59:59Z"));
    }

    @Test
    void the31stOfDecemberIsDueOnThe31stOfJanuaryOfTheNextYear() {
        assertThat(Deadlines.due(Instant.parse("2026-12-31T00:00:00Z")))
                .isEqualTo(Instant.parse("2027-01-31T00:00:00Z"));
    }

    @Test
    void anExtensionCountsCalendarMonthsFromTheStartAndReachesThreeMonthsAtMost() {
        Instant jan31 = Instant.parse("2026-01-31T12:00:00Z");
        assertThat(Deadlines.extended(jan31, 1)).isEqualTo(Instant.parse("2026-03-31T12:00:00Z"));
        assertThat(Deadlines.extended(jan31, 2)).isEqualTo(Instant.parse("2026-04-30T12:00:00Z"));
        assertThat(Deadlines.latestExtension(jan31)).isEqualTo(Instant.parse("2026-04-30T12:00:00Z"));
        assertThat(Deadlines.latestExtension(Instant.parse("2026-12-31T12:00:00Z")))
                .isEqualTo(Instant.parse("2027-03-31T12:00:00Z"));
    }
}
