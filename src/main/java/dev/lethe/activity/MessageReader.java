package dev.lethe.activity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.input.Batch;
import dev.lethe.input.JsonFields;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.values.Sensitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads messages from JSON ({@code POST /v1/messages}): each message on its own, every mistake
 * with its path. What the reader cannot judge (the channel's form, the direction, the rules that
 * govern it) {@link MessageService} checks.
 */
public final class MessageReader {

    static final List<String> KEYS = JsonFields.keys(MessagesBody.MessageInput.class);
    static final List<String> SUBJECT = JsonFields.keys(MessagesBody.SubjectInput.class);
    static final List<String> TRAFFIC = JsonFields.keys(MessagesBody.TrafficInput.class);

    private MessageReader() {}

    /** The body {@code {messages: [...]}}; 422 when the body itself is wrong. */
    public static Batch<IncomingMessage> batch(JsonNode body) {
        return Batch.read(body, "messages", "messages", MessageReader::message);
    }

    /** One message at {@code at} ({@code messages[3]}). */
    public static IncomingMessage message(JsonNode n, String at, JsonFields in) {
        if (in.object(n, at, KEYS) == null)
            return new IncomingMessage(
                    Map.of(), null, null, null, null, null, null, null, null, null, null, null, Map.of(), List.of());
        var identifiers = new LinkedHashMap<IdentifierKind, String>();
        String profileId = null;
        String subjectAt = JsonFields.at(at, "subject");
        JsonNode subject = n.get("subject");
        if (subject == null || subject.isNull())
            in.error(subjectAt, "is required: an object with email, phone, externalId or profileId");
        else if (in.object(subject, subjectAt, SUBJECT) != null) {
            for (var e : subject.properties()) {
                String key = e.getKey();
                if (!SUBJECT.contains(key)) continue;
                String v = in.optionalText(subject, subjectAt, key);
                if (key.equals("profileId")) profileId = v;
                else if (v != null) identifiers.put(kind(key), v);
            }
        }
        var values = new LinkedHashMap<String, Sensitive>();
        in.scalar(n.get("content"), JsonFields.at(at, "content")).ifPresent(v -> values.put("message.content", v));
        JsonNode traffic = in.optionalObject(n, at, "traffic", TRAFFIC);
        if (traffic != null) {
            for (var e : traffic.properties()) {
                if (TRAFFIC.contains(e.getKey()))
                    in.scalar(e.getValue(), JsonFields.at(JsonFields.at(at, "traffic"), e.getKey()))
                            .ifPresent(v -> values.put("traffic." + e.getKey(), v));
            }
        }
        return new IncomingMessage(
                identifiers,
                profileId,
                in.optionalText(n, at, "subjectType"),
                in.optionalText(n, at, "channel"),
                in.optionalText(n, at, "product"),
                in.optionalText(n, at, "api"),
                in.optionalText(n, at, "direction"),
                in.optionalText(n, at, "conversationId"),
                in.optionalText(n, at, "campaignId"),
                in.optionalText(n, at, "status"),
                in.optionalInstant(n, at, "ts"),
                in.optionalInstant(n, at, "sendAt"),
                values,
                attachments(n, JsonFields.at(at, "attachments"), in));
    }

    /**
     * Attachments: a list, each a text (a name, a reference, encoded content) or an object
     * describing it, sealed as its JSON text.
     */
    private static List<Sensitive> attachments(JsonNode n, String at, JsonFields in) {
        var out = new ArrayList<Sensitive>();
        JsonNode list = n.get("attachments");
        if (list == null || list.isNull()) return out;
        if (!list.isArray()) {
            in.error(at, "must be a list");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode a = list.get(i);
            if (a.isTextual()) out.add(new Sensitive(a.asText()));
            else if (a.isObject()) out.add(new Sensitive(a.toString()));
            else in.error(JsonFields.at(at, i), "must be a text (a name, a reference, encoded content) or an object");
        }
        return out;
    }

    private static IdentifierKind kind(String wire) {
        for (var k : IdentifierKind.values()) if (k.wireName().equals(wire)) return k;
        throw new IllegalArgumentException("not an identifier: " + wire);
    }
}
