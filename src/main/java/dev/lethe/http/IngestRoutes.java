package dev.lethe.http;

import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.activity.IncomingEvent;
import dev.lethe.activity.IncomingMessage;
import dev.lethe.activity.MessageService;
import dev.lethe.activity.TrackService;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.profiles.Identification;
import dev.lethe.profiles.IdentifyRequest;
import dev.lethe.storage.Timestamps;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Ingest over HTTP: identify and track. Bodies are read into domain requests here. */
final class IngestRoutes {

    private static final List<String> CONTEXT_FIELDS =
            List.of("ip", "userAgent", "url", "referrer", "campaign", "locale", "country");

    private static final List<String> MESSAGE_KEYS = List.of(
            "subject",
            "subjectType",
            "channel",
            "product",
            "api",
            "direction",
            "conversationId",
            "campaignId",
            "status",
            "ts",
            "sendAt",
            "content",
            "attachments",
            "traffic");
    private static final List<String> TRAFFIC_FIELDS = List.of("from", "to", "route", "duration");

    private final Identification identification;
    private final TrackService track;
    private final MessageService messages;

    IngestRoutes(Identification identification, TrackService track, MessageService messages) {
        this.identification = identification;
        this.track = track;
        this.messages = messages;
    }

    void register(Api api) {
        registerMessages(api);
        api.route(POST, "/v1/identify")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "A visitor identifies: finds or creates the profile by email, phone or external id; the visitor's anonymous history joins it. A key with the read or admin scope is told the profile (201 new, 200 known); an ingest key only 202 {accepted, dropped, expired}, whoever the person is")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    var errors = new ArrayList<FieldError>();
                    var identifiers = new LinkedHashMap<IdentifierKind, Sensitive>();
                    JsonNode ids = body.get("identifiers");
                    if (ids != null && !ids.isNull()) {
                        if (!ids.isObject())
                            errors.add(new FieldError("identifiers", "must be an object such as {\"email\": …}"));
                        else
                            ids.fields()
                                    .forEachRemaining(e -> kind(e.getKey())
                                            .ifPresentOrElse(
                                                    k -> scalar(e.getValue(), "identifiers." + e.getKey(), errors)
                                                            .ifPresent(v -> identifiers.put(k, v)),
                                                    () -> errors.add(new FieldError(
                                                            "identifiers." + e.getKey(),
                                                            "unknown identifier (email, phone, externalId)"))));
                    }
                    var traits = scalars(body.get("traits"), "traits", errors);
                    for (String key : iterable(body.fieldNames())) {
                        if (!List.of("visitorId", "subjectType", "identifiers", "traits", "ts")
                                .contains(key)) {
                            errors.add(new FieldError(
                                    key, "unknown key (visitorId, subjectType, identifiers, traits, ts)"));
                        }
                    }
                    String visitorId = optionalText(body, "visitorId", errors);
                    String subjectType = optionalText(body, "subjectType", errors);
                    Instant ts = instant(body.get("ts"), "ts", errors);
                    if (!errors.isEmpty()) throw new InvalidInputException("The identification is not valid.", errors);
                    var result = identification.identify(
                            caller, new IdentifyRequest(visitorId, subjectType, identifiers, traits, ts));
                    if (Identification.learnsWhoExists(caller))
                        ctx.status(result.created() ? 201 : 200).json(result);
                    else ctx.status(202).json(result.receipt());
                });
        api.route(POST, "/v1/track")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "Record up to 1000 events; each event is accepted or rejected on its own, with the paths of its errors")
                .accepts("application/json")
                .returns(202)
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    JsonNode list = body.get("events");
                    if (list == null || !list.isArray() || list.isEmpty()) {
                        throw new InvalidInputException(
                                "The batch is not valid.",
                                List.of(new FieldError("events", "must be a non-empty list of events")));
                    }
                    if (list.size() > TrackService.MAX_BATCH) {
                        throw new InvalidInputException(
                                "The batch is too large.",
                                List.of(new FieldError(
                                        "events",
                                        "at most " + TrackService.MAX_BATCH + " events per call, not " + list.size())));
                    }
                    var events = new ArrayList<IncomingEvent>();
                    var readErrors = new HashMap<Integer, List<FieldError>>();
                    for (int i = 0; i < list.size(); i++) {
                        var errors = new ArrayList<FieldError>();
                        var event = event(list.get(i), "events[" + i + "]", errors);
                        events.add(event);
                        if (!errors.isEmpty()) readErrors.put(i, errors);
                    }
                    ctx.status(202).json(track.track(caller, events, readErrors));
                });
    }

    private void registerMessages(Api api) {
        api.route(POST, "/v1/messages")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "Record up to 1000 messages (SMS, email, chat, voice, push, OTT); content, attachments and traffic data are encrypted, each message is accepted or rejected on its own")
                .accepts("application/json")
                .returns(202)
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    JsonNode list = body.get("messages");
                    if (list == null || !list.isArray() || list.isEmpty()) {
                        throw new InvalidInputException(
                                "The batch is not valid.",
                                List.of(new FieldError("messages", "must be a non-empty list of messages")));
                    }
                    if (list.size() > MessageService.MAX_BATCH) {
                        throw new InvalidInputException(
                                "The batch is too large.",
                                List.of(new FieldError(
                                        "messages",
                                        "at most " + MessageService.MAX_BATCH + " messages per call, not "
                                                + list.size())));
                    }
                    var read = new ArrayList<IncomingMessage>();
                    var readErrors = new HashMap<Integer, List<FieldError>>();
                    for (int i = 0; i < list.size(); i++) {
                        var errors = new ArrayList<FieldError>();
                        read.add(message(list.get(i), "messages[" + i + "]", errors));
                        if (!errors.isEmpty()) readErrors.put(i, errors);
                    }
                    ctx.status(202).json(messages.ingest(caller, read, readErrors));
                });
    }

    private static IncomingMessage message(JsonNode n, String at, List<FieldError> errors) {
        if (n == null || !n.isObject()) {
            errors.add(new FieldError(at, "must be an object"));
            return new IncomingMessage(
                    Map.of(), null, null, null, null, null, null, null, null, null, null, null, Map.of(), List.of());
        }
        for (String key : iterable(n.fieldNames())) {
            if (!MESSAGE_KEYS.contains(key))
                errors.add(new FieldError(at + "." + key, "unknown key (" + String.join(", ", MESSAGE_KEYS) + ")"));
        }
        var identifiers = new LinkedHashMap<IdentifierKind, String>();
        String profileId = null;
        JsonNode subject = n.get("subject");
        if (subject == null || !subject.isObject()) {
            errors.add(new FieldError(
                    at + ".subject", "is required: an object with email, phone, externalId or profileId"));
        } else {
            for (String key : iterable(subject.fieldNames())) {
                if (key.equals("profileId")) profileId = optionalText(subject, "profileId", errors, at + ".subject");
                else
                    kind(key)
                            .ifPresentOrElse(
                                    k -> {
                                        String v = optionalText(subject, key, errors, at + ".subject");
                                        if (v != null) identifiers.put(k, v);
                                    },
                                    () -> errors.add(new FieldError(
                                            at + ".subject." + key,
                                            "unknown identifier (email, phone, externalId, profileId)")));
            }
        }
        var values = new LinkedHashMap<String, Sensitive>();
        scalar(n.get("content"), at + ".content", errors).ifPresent(v -> values.put("message.content", v));
        JsonNode traffic = n.get("traffic");
        if (traffic != null && !traffic.isNull()) {
            if (!traffic.isObject()) errors.add(new FieldError(at + ".traffic", "must be an object"));
            else
                for (String key : iterable(traffic.fieldNames())) {
                    if (!TRAFFIC_FIELDS.contains(key))
                        errors.add(new FieldError(
                                at + ".traffic." + key,
                                "unknown traffic field (" + String.join(", ", TRAFFIC_FIELDS) + ")"));
                    else
                        scalar(traffic.get(key), at + ".traffic." + key, errors)
                                .ifPresent(v -> values.put("traffic." + key, v));
                }
        }
        var attachments = new ArrayList<Sensitive>();
        JsonNode list = n.get("attachments");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) errors.add(new FieldError(at + ".attachments", "must be a list"));
            else list.forEach(a -> attachments.add(new Sensitive(a.isTextual() ? a.asText() : a.toString())));
        }
        return new IncomingMessage(
                identifiers,
                profileId,
                optionalText(n, "subjectType", errors, at),
                optionalText(n, "channel", errors, at),
                optionalText(n, "product", errors, at),
                optionalText(n, "api", errors, at),
                optionalText(n, "direction", errors, at),
                optionalText(n, "conversationId", errors, at),
                optionalText(n, "campaignId", errors, at),
                optionalText(n, "status", errors, at),
                instant(n.get("ts"), at + ".ts", errors),
                instant(n.get("sendAt"), at + ".sendAt", errors),
                values,
                attachments);
    }

    private static IncomingEvent event(JsonNode n, String at, List<FieldError> errors) {
        if (n == null || !n.isObject()) {
            errors.add(new FieldError(at, "must be an object"));
            return new IncomingEvent(null, null, null, null, Map.of());
        }
        for (String key : iterable(n.fieldNames())) {
            if (!List.of("visitorId", "sessionId", "type", "ts", "properties", "context")
                    .contains(key)) {
                errors.add(new FieldError(
                        at + "." + key, "unknown key (visitorId, sessionId, type, ts, properties, context)"));
            }
        }
        var values = new LinkedHashMap<String, Sensitive>();
        scalars(n.get("properties"), "properties", errors, at).forEach((k, v) -> values.put("properties." + k, v));
        JsonNode context = n.get("context");
        if (context != null && !context.isNull()) {
            if (!context.isObject()) errors.add(new FieldError(at + ".context", "must be an object"));
            else
                for (String key : iterable(context.fieldNames())) {
                    if (!CONTEXT_FIELDS.contains(key))
                        errors.add(new FieldError(
                                at + ".context." + key,
                                "unknown context field (" + String.join(", ", CONTEXT_FIELDS) + ")"));
                    else
                        scalar(context.get(key), at + ".context." + key, errors)
                                .ifPresent(v -> values.put("context." + key, v));
                }
        }
        return new IncomingEvent(
                optionalText(n, "visitorId", errors, at),
                optionalText(n, "sessionId", errors, at),
                optionalText(n, "type", errors, at),
                instant(n.get("ts"), at + ".ts", errors),
                values);
    }

    private static Optional<IdentifierKind> kind(String wire) {
        for (var k : IdentifierKind.values())
            if (k != IdentifierKind.VISITOR && k.wireName().equals(wire)) return Optional.of(k);
        return Optional.empty();
    }

    private static Map<String, Sensitive> scalars(JsonNode n, String path, List<FieldError> errors) {
        return scalars(n, path, errors, "");
    }

    /** An object of scalar values; nested objects and lists are refused (flatten them). */
    private static Map<String, Sensitive> scalars(JsonNode n, String path, List<FieldError> errors, String prefix) {
        var out = new LinkedHashMap<String, Sensitive>();
        String at = prefix.isEmpty() ? path : prefix + "." + path;
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) {
            errors.add(new FieldError(at, "must be an object of names to values"));
            return out;
        }
        n.fields()
                .forEachRemaining(e ->
                        scalar(e.getValue(), at + "." + e.getKey(), errors).ifPresent(v -> out.put(e.getKey(), v)));
        return out;
    }

    private static Optional<Sensitive> scalar(JsonNode v, String at, List<FieldError> errors) {
        if (v == null || v.isNull()) return Optional.empty();
        if (v.isContainerNode()) {
            errors.add(new FieldError(
                    at, "must be a text, number or true/false (nested values are not accepted: flatten them)"));
            return Optional.empty();
        }
        return Optional.of(new Sensitive(v.asText()));
    }

    private static String optionalText(JsonNode n, String key, List<FieldError> errors) {
        return optionalText(n, key, errors, "");
    }

    private static String optionalText(JsonNode n, String key, List<FieldError> errors, String prefix) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            errors.add(new FieldError(prefix.isEmpty() ? key : prefix + "." + key, "must be a text"));
            return null;
        }
        return v.asText();
    }

    private static Instant instant(JsonNode v, String at, List<FieldError> errors) {
        if (v == null || v.isNull()) return null;
        var t = Timestamps.parse(v.asText());
        if (t.isEmpty()) errors.add(new FieldError(at, Timestamps.EXPECTED));
        return t.orElse(null);
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        return () -> it;
    }
}
