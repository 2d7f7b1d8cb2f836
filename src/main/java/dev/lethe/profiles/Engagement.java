package dev.lethe.profiles;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How engaged a profile is, from recency and frequency of its visits, 0 to 100:
 *
 * <ul>
 *   <li>frequency: 5 points per visit started in the last 90 days, at most 50;
 *   <li>recency: 50 points on the day of the last visit, falling linearly to 0 at 90 days.
 * </ul>
 *
 * Levels: {@code high} from 70, {@code medium} from 35, {@code low} above 0, else {@code none}.
 */
public record Engagement(int score, String level) {

    static final Duration WINDOW = Duration.ofDays(90);

    /** The levels, highest first. */
    public static final List<String> LEVELS = List.of("high", "medium", "low", "none");

    static Engagement of(List<Instant> visitStarts, Instant lastSeen, Instant now) {
        long recent =
                visitStarts.stream().filter(v -> !v.isBefore(now.minus(WINDOW))).count();
        return of((int) recent, !visitStarts.isEmpty(), lastSeen, now);
    }

    /**
     * The score from how many visits started within the window, whether there was any visit at
     * all, and the last time the profile was seen.
     */
    static Engagement of(int recentVisits, boolean anyVisit, Instant lastSeen, Instant now) {
        int frequency = Math.min(50, recentVisits * 5);
        double daysSince = Math.max(0, Duration.between(lastSeen, now).toHours() / 24.0);
        int recency = (int) Math.round(50 * Math.max(0, 1 - daysSince / WINDOW.toDays()));
        int score = anyVisit ? frequency + recency : 0;
        String level = score >= 70 ? "high" : score >= 35 ? "medium" : score > 0 ? "low" : "none";
        return new Engagement(score, level);
    }

    /**
     * Since when a profile must have been seen to score above zero: a visit started in the window
     * or a last visit less than the window ago is needed, and either means a last-seen time after
     * this. Lists use it to narrow the profiles they score.
     */
    static Instant aboveZeroSince(Instant now) {
        return now.minus(WINDOW);
    }
}
