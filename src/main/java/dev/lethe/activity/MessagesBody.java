package dev.lethe.activity;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code POST /v1/messages}, as a shape: the keys {@link MessageReader} takes are
 * these records' components, and the OpenAPI schema is generated from them.
 */
public record MessagesBody(@JsonProperty(required = true) List<MessageInput> messages) {

    /**
     * One message.
     *
     * @param content the message's content (a text, number or true/false), encrypted
     * @param attachments texts or objects, each encrypted as its JSON text
     */
    public record MessageInput(
            @JsonProperty(required = true) SubjectInput subject,
            String subjectType,
            @JsonProperty(required = true) String channel,
            String product,
            String api,
            @JsonProperty(required = true) String direction,
            String conversationId,
            String campaignId,
            String status,
            Instant ts,
            Instant sendAt,
            Object content,
            List<Object> attachments,
            TrafficInput traffic) {}

    /** Who the message is with: any one identifier Lethe knows the person by. */
    public record SubjectInput(String email, String phone, String externalId, String profileId) {}

    /** The message's traffic data, encrypted. */
    public record TrafficInput(Object from, Object to, Object route, Object duration) {}
}
