package dev.lethe.registry;

import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * How long something lives: {@code period} after the earliest of the {@code after} triggers, then
 * {@code then} happens to it.
 */
public record RetentionRule(Period period, List<Trigger> after, Action then) {

    public RetentionRule {
        after = List.copyOf(after);
    }

    /**
     * When something collected at {@code collectedAt} expires by its collection date alone; empty
     * when its clock starts with a later event (a contract end, inactivity, a conversation).
     */
    public Optional<Instant> expiryByCollection(Instant collectedAt) {
        if (!after.contains(new Trigger.Collected())) return Optional.empty();
        return Optional.of(collectedAt.atZone(ZoneOffset.UTC).plus(period).toInstant());
    }
}
