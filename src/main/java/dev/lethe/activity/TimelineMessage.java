package dev.lethe.activity;

import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A message to or from a person as their timeline shows it: its routing words and times, and its
 * content, attachments and traffic data decrypted (null or empty when it had none, or when they
 * are past their retention or under a destroyed key).
 */
public record TimelineMessage(
        String messageId,
        Instant sentAt,
        Instant receivedAt,
        Instant sendAt,
        String channel,
        String product,
        String api,
        String direction,
        String status,
        String campaignId,
        Sensitive content,
        List<Sensitive> attachments,
        Map<String, Sensitive> traffic) {}
