package dev.lethe.profiles;

import dev.lethe.consent.PurposeState;
import dev.lethe.values.Sensitive;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a profile shows: its contact information and traits (decrypted; a custom field's value with
 * its type), a summary, its visits, and its consents: per purpose the latest answer, when and under
 * which privacy policy, and whether the person is a minor (then nothing consent-based is current).
 */
public record ProfileView(
        String profileId,
        String subjectType,
        Map<String, Sensitive> contact,
        Map<String, List<Identifier>> identifiers,
        Map<String, FieldValue> traits,
        List<Sensitive> tags,
        Summary summary,
        Engagement engagement,
        List<Interest> interests,
        List<GoalAchieved> goals,
        List<Campaign> campaigns,
        List<Visit> visits,
        Map<String, PurposeState> consents,
        boolean minor) {

    /**
     * An identifier the profile holds (an email, phone, external id or visitor id), decrypted:
     * null when only its blind index is kept (a visitor id the policy maps no category for, a
     * value past its retention or not kept under a switched-off category). {@code latest} marks
     * the most recently given of its kind, which comes first.
     */
    public record Identifier(Sensitive value, Instant firstCollectedAt, Instant collectedAt, boolean latest) {}

    /** An interest and how often it was shown. */
    public record Interest(Sensitive value, int count) {}

    /** A goal the profile achieved, and when first. */
    public record GoalAchieved(String goalId, String name, Instant firstAchievedAt, int times) {}

    /** A campaign the profile interacted with, first and last time. */
    public record Campaign(Sensitive campaign, Instant first, Instant last) {}

    /** First and last visit (or contact), how many visits, events, messages and devices. */
    public record Summary(Instant firstSeen, Instant lastSeen, int visits, int events, int messages, int devices) {}

    /**
     * One session's summary: when, how long, how many pages and events, where it came from, its
     * important events (counted by type, page views aside), the goals achieved in it, and whether
     * it has ended (no event for longer than the session timeout).
     */
    public record Visit(
            String sessionId,
            Instant startedAt,
            Duration duration,
            int pages,
            int events,
            Map<String, Sensitive> source,
            Map<String, Integer> importantEvents,
            List<String> goals,
            boolean ended) {}
}
