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
                .parse((q, caller) -> {
                    var query = query(q, q.text("type"));
                    q.addAll(Timeline.eventProblems(query));
                    return query;
                })
                .handle((ctx, caller, query) -> {
                    String profileId = Json.idPath(ctx, "id", "No such profile.");
                    var page = timeline.events(caller, profileId, query);
                    var out = new LinkedHashMap<String, Object>();
                    out.put(
                            "events",
                            page.records().stream().map(TimelineRoutes::event).toList());
                    out.put("nextCursor", page.nextCursor());
                    ctx.json(out);
                });
        api.route(GET, "/v1/profiles/{id}/messages")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The profile's messages (merged profiles' included), newest first, with content, attachments and traffic data decrypted; paged by cursor; the read is audited")
                .query("from", "ISO instant, inclusive")
                .query("to", "ISO instant, exclusive")
                .query("limit", "1..1000, default 100")
                .query("cursor", "the nextCursor of the previous page")
                .parse((q, caller) -> {
                    var query = query(q, null);
                    q.addAll(Timeline.messageProblems(query));
                    return query;
                })
                .handle((ctx, caller, query) -> {
                    String profileId = Json.idPath(ctx, "id", "No such profile.");
                    var page = timeline.messages(caller, profileId, query);
                    var out = new LinkedHashMap<String, Object>();
                    out.put(
                            "messages",
                            page.records().stream().map(TimelineRoutes::message).toList());
                    out.put("nextCursor", page.nextCursor());
                    ctx.json(out);
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

    private static Map<String, Object> event(TimelineEvent e) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", e.eventId());
        out.put("type", e.type());
        out.put("ts", e.occurredAt().toString());
        out.put("receivedAt", e.receivedAt().toString());
        out.put("sessionId", e.sessionId());
        out.put("properties", plain(e.properties()));
        out.put("context", plain(e.context()));
        return out;
    }

    private static Map<String, Object> message(TimelineMessage m) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", m.messageId());
        out.put("ts", m.sentAt().toString());
        out.put("receivedAt", m.receivedAt().toString());
        out.put("sendAt", text(m.sendAt()));
        out.put("channel", m.channel());
        out.put("product", m.product());
        out.put("api", m.api());
        out.put("direction", m.direction());
        out.put("status", m.status());
        out.put("campaignId", m.campaignId());
        out.put("content", m.content() == null ? null : m.content().value());
        out.put(
                "attachments",
                m.attachments().stream().map(TimelineRoutes::attachment).toList());
        out.put("traffic", plain(m.traffic()));
        return out;
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

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private static Map<String, String> plain(Map<String, Sensitive> values) {
        var out = new LinkedHashMap<String, String>();
        values.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }
}
