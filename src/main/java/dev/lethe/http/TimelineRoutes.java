package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.Timeline;
import dev.lethe.activity.TimelineEvent;
import dev.lethe.activity.TimelineMessage;
import dev.lethe.activity.TimelineQuery;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A person's timeline over HTTP: their events and messages, newest first, decrypted and audited. */
final class TimelineRoutes {

    private final Timeline timeline;

    TimelineRoutes(Timeline timeline) {
        this.timeline = timeline;
    }

    void register(Api api) {
        api.route(GET, "/v1/profiles/{id}/events")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The profile's events (its devices' and merged profiles' included), newest first, with their properties and context decrypted; paged by cursor; the read is audited")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("type", "only events of this type")
                .query("limit", "1..1000, default 100")
                .query("cursor", "the nextCursor of the previous page")
                .answers(EventPage.class)
                .parse((q, caller) -> {
                    var query = query(q, q.text("type"));
                    q.addAll(Timeline.eventProblems(query));
                    return query;
                })
                .handle((ctx, caller, query) -> {
                    String profileId = Json.idPath(ctx, "id", "No such profile.");
                    var page = timeline.events(caller, profileId, query);
                    ctx.json(new EventPage(
                            page.records().stream().map(TimelineRoutes::event).toList(), page.nextCursor()));
                });
        api.route(GET, "/v1/profiles/{id}/messages")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The profile's messages (merged profiles' included), newest first, with content, attachments and traffic data decrypted; paged by cursor; the read is audited")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("limit", "1..1000, default 100")
                .query("cursor", "the nextCursor of the previous page")
                .answers(MessagePage.class)
                .parse((q, caller) -> {
                    var query = query(q, null);
                    q.addAll(Timeline.messageProblems(query));
                    return query;
                })
                .handle((ctx, caller, query) -> {
                    String profileId = Json.idPath(ctx, "id", "No such profile.");
                    var page = timeline.messages(caller, profileId, query);
                    ctx.json(new MessagePage(
                            page.records().stream().map(TimelineRoutes::message).toList(), page.nextCursor()));
                });
    }

    /** The query's parameters; each one that is wrong is named by {@code q} (and read as absent). */
    private static TimelineQuery query(Query q, String type) {
        return new TimelineQuery(
                q.instant("from"),
                q.instant("to"),
                type,
                q.cursor(),
                q.integer("limit", TimelineQuery.DEFAULT_LIMIT, 1, TimelineQuery.MAX_LIMIT));
    }

    private static EventView event(TimelineEvent e) {
        return new EventView(
                e.eventId(),
                e.type(),
                e.occurredAt(),
                e.receivedAt(),
                e.sessionId(),
                plain(e.properties()),
                plain(e.context()));
    }

    private static MessageView message(TimelineMessage m) {
        return new MessageView(
                m.messageId(),
                m.sentAt(),
                m.receivedAt(),
                m.sendAt(),
                m.channel(),
                m.product(),
                m.api(),
                m.direction(),
                m.status(),
                m.campaignId(),
                m.content() == null ? null : m.content().value(),
                m.attachments().stream().map(TimelineRoutes::attachment).toList(),
                plain(m.traffic()));
    }

    /** An attachment as it was sent: an object stays an object, anything else is its text. */
    private static Object attachment(Sensitive a) {
        String text = a.value();
        if (text.startsWith("{")) {
            try {
                return Json.MAPPER.readTree(text);
            } catch (Exception notJson) {
                return text;
            }
        }
        return text;
    }

    /** Values as the caller sent them: a text, or a list of texts. */
    private static Map<String, Object> plain(Map<String, Sensitive> values) {
        var out = new LinkedHashMap<String, Object>();
        values.forEach((k, v) -> out.put(k, v.isList() ? v.items() : v.value()));
        return out;
    }

    /**
     * One event, decrypted.
     *
     * @param ts when it happened
     * @param properties and context: values by name, as sent
     */
    record EventView(
            String id,
            String type,
            Instant ts,
            Instant receivedAt,
            String sessionId,
            Map<String, Object> properties,
            Map<String, Object> context) {}

    /**
     * One message, decrypted.
     *
     * @param attachments each a text, or the object it was sent as
     */
    record MessageView(
            String id,
            Instant ts,
            Instant receivedAt,
            Instant sendAt,
            String channel,
            String product,
            String api,
            String direction,
            String status,
            String campaignId,
            String content,
            List<Object> attachments,
            Map<String, Object> traffic) {}

    /** A page of events, newest first; {@code nextCursor} is null on the last page. */
    record EventPage(List<EventView> events, String nextCursor) {}

    /** A page of messages, newest first; {@code nextCursor} is null on the last page. */
    record MessagePage(List<MessageView> messages, String nextCursor) {}
}
