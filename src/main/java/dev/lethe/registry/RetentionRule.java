package dev.lethe.registry;

import java.time.Period;
import java.util.List;

/**
 * How long something lives: {@code period} after the earliest of the {@code after} triggers, then
 * {@code then} happens to it.
 */
public record RetentionRule(Period period, List<Trigger> after, Action then) {

    public RetentionRule {
        after = List.copyOf(after);
    }
}
