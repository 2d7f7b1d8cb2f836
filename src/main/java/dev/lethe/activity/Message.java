package dev.lethe.activity;

import java.time.Instant;

/** A message as stored: no content, no addresses — those are sealed values apart. */
public record Message(
        String messageId,
        String subjectId,
        String channel,
        String product,
        String api,
        String direction,
        String recordRule,
        String conversationKey,
        String campaignId,
        String status,
        Instant sentAt,
        Instant receivedAt) {}
