package dev.lethe.activity;

import java.time.Instant;

/**
 * A message as stored: no content, no addresses — those are sealed values apart. {@code recordRule}
 * is the message rule that governs its content; {@code ruleKind} the rule that governs the row
 * itself (its log: a {@code message_log} rule, else the message rule), whose clock starts at
 * {@code anchorAt}. {@code sendAt} is the scheduled send date, if any. {@code subjectId} is null
 * once the message is anonymised.
 */
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
        Instant receivedAt,
        Instant sendAt,
        String ruleKind,
        Instant anchorAt) {}
