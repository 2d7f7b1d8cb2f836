package dev.lethe.activity;

import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.Map;

/**
 * An event of a person as their timeline shows it: when, what, in which visit, and its values
 * decrypted ({@code properties.plan} under properties, {@code context.ip} under context).
 */
public record TimelineEvent(
        String eventId,
        String type,
        Instant occurredAt,
        Instant receivedAt,
        String sessionId,
        Map<String, Sensitive> properties,
        Map<String, Sensitive> context) {}
