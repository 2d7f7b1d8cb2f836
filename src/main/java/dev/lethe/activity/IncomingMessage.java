package dev.lethe.activity;

import dev.lethe.subjects.IdentifierKind;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One message as sent by an integrator, read from JSON: whose (an identifier, a profile id or a
 * visitor id), how (channel, product, api, direction), in which conversation and campaign, when
 * (null = now) and, for a scheduled message, when it is to be sent (null = not scheduled), its
 * delivery status, and its personal parts by field path
 * ({@code message.content}, {@code traffic.from}, …) with its attachments apart.
 */
public record IncomingMessage(
        Map<IdentifierKind, String> identifiers,
        String profileId,
        String subjectType,
        String channel,
        String product,
        String api,
        String direction,
        String conversationId,
        String campaignId,
        String status,
        Instant ts,
        Instant sendAt,
        Map<String, Sensitive> values,
        List<Sensitive> attachments) {

    public IncomingMessage {
        identifiers = Map.copyOf(identifiers);
        values = Map.copyOf(values);
        attachments = List.copyOf(attachments);
    }
}
