package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.FieldError;
import dev.lethe.input.JsonFields;
import dev.lethe.profiles.ProfileCriteria;
import dev.lethe.profiles.ProfileLists;
import dev.lethe.profiles.ProfileView;
import dev.lethe.profiles.Profiles;
import dev.lethe.profiles.Segments;
import dev.lethe.registry.Durations;
import dev.lethe.values.Sensitive;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Profiles over HTTP. Personal values leave the server only here, decrypted, and audited. */
final class ProfileRoutes {

    private final Profiles profiles;

    ProfileRoutes(Profiles profiles) {
        this.profiles = profiles;
    }

    void register(Api api) {
        api.route(GET, "/v1/profiles")
                .access(Access.needs(Scope.READ))
                .summary(
                        "Identified profiles, filtered by exact email or phone (blind index), tag, goal, engagement, custom field values and last visit; sorted; paged by cursor")
                .query("segment", "a saved segment's name; other parameters refine it")
                .query("email", "exact email (normalised)")
                .query("phone", "exact phone, international form")
                .query("tag", "profiles carrying this tag (case-insensitive)")
                .query("goal", "profiles that achieved this goal (its id or name)")
                .query("engagement", "profiles at this engagement level: high, medium, low or none")
                .query("field.{key}", "profiles whose filterable custom field {key} equals this value")
                .query("lastVisitFrom", "ISO instant, inclusive")
                .query("lastVisitTo", "ISO instant, exclusive")
                .query("lastVisitWithin", "ISO period before now, such as P30D")
                .query("sort", "lastVisit (default), firstVisit or visits")
                .query("limit", "profiles per page, 1..1000, default 100")
                .query(
                        "cursor",
                        "the nextCursor of the previous page, with the same filters and sort; the answer's nextCursor is null on the last page")
                .query(
                        "columns",
                        "comma-separated: id, subjectType, firstSeen, lastSeen (the default), visits, engagement, field.{key} (a custom field's value, decrypted; the read is audited)")
                .parse((q, caller) -> {
                    var query = new ProfileLists.ProfileQuery(
                            q.text("segment"),
                            q.text("email"),
                            q.text("phone"),
                            new ProfileCriteria(
                                    q.text("tag"),
                                    q.text("goal"),
                                    q.text("engagement"),
                                    q.prefixed("field."),
                                    q.instant("lastVisitFrom"),
                                    q.instant("lastVisitTo"),
                                    q.period("lastVisitWithin"),
                                    q.text("sort")),
                            q.cursor(),
                            q.integer("limit", 100, 1, 1000),
                            q.list("columns"));
                    q.addAll(
                            profiles.lists().problems(caller, query, !q.errors().isEmpty()));
                    return query;
                })
                .handle((ctx, caller, query) -> {
                    var page = profiles.lists().list(caller, query);
                    var out = new LinkedHashMap<String, Object>();
                    out.put(
                            "profiles",
                            page.profiles().stream()
                                    .map(r -> row(r, page.columns()))
                                    .toList());
                    out.put("nextCursor", page.nextCursor());
                    ctx.json(out);
                });
        api.route(POST, "/v1/segments")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Save a segment {name, filter: {tag?, goal?, engagement?, fields?: {key: value}, lastVisitFrom?, lastVisitTo?, lastVisitWithin?, sort?}}; list it with ?segment=")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var saved = profiles.segments().saveSegment(caller, definition(Json.object(ctx)));
                    ctx.status(201).json(Map.of("id", saved.segmentId(), "name", saved.name()));
                });
        api.route(GET, "/v1/segments")
                .access(Access.needs(Scope.READ))
                .summary("The account's saved segments, each with what it misses now (problems)")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "segments",
                        profiles.segments().segments(caller).stream()
                                .map(ProfileRoutes::segment)
                                .toList())));
        api.route(GET, "/v1/segments/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One saved segment: its name, its filter and its problems (a goal or custom field it names that is gone)")
                .handle((ctx, caller) -> ctx.json(
                        segment(profiles.segments().segment(caller, Json.idPath(ctx, "id", SEGMENT_NOT_FOUND)))));
        api.route(PUT, "/v1/segments/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary("Replace a segment's name and filter ({name, filter}), checked as when it is saved")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", SEGMENT_NOT_FOUND);
                    var changed = profiles.segments().changeSegment(caller, id, definition(Json.object(ctx)));
                    ctx.json(segment(new Segments.Checked(changed, List.of())));
                });
        api.route(DELETE, "/v1/segments/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary("Delete a segment; its name is free again")
                .returns(204)
                .handle((ctx, caller) -> {
                    profiles.segments().deleteSegment(caller, Json.idPath(ctx, "id", SEGMENT_NOT_FOUND));
                    ctx.status(204);
                });
        api.route(POST, "/v1/profiles/{id}/tags")
                .access(Access.needs(Scope.ADMIN))
                .summary("Add and remove tags on a profile: {add: [...], remove: [...]}; returns its tags")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("add", "remove"));
                    var add = in.texts(body, "", "add");
                    var remove = in.texts(body, "", "remove");
                    in.requireValid();
                    ctx.json(Map.of(
                            "tags",
                            profiles.tags().tag(caller, Json.idPath(ctx, "id", "No such profile."), add, remove)));
                });
        api.route(POST, "/v1/profiles/{id}/merge")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Merge another profile ({from}) into this one: its values (with their keys), visits and identifiers move here; it ceases to exist")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("from"));
                    String from = in.requiredText(body, "", "from");
                    in.requireValid();
                    ctx.json(profiles.merges().mergeProfiles(caller, Json.idPath(ctx, "id", "No such profile."), from));
                });
        api.route(GET, "/v1/profiles/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One profile: contact information, traits, summary and visits (decrypted; the read is audited)")
                .handle((ctx, caller) ->
                        ctx.json(view(profiles.views().view(caller, Json.idPath(ctx, "id", "No such profile.")))));
    }

    private static final String SEGMENT_NOT_FOUND = "No such segment.";

    private static final List<String> FILTER_KEYS = List.of(
            "tag",
            "goal",
            "engagement",
            "fields",
            "lastVisitFrom",
            "lastVisitTo",
            "lastVisitWithin",
            "sort",
            "email",
            "phone");

    /** A segment's name and filter as the body gives them; the rules are the segments feature's. */
    private static Segments.Definition definition(JsonNode body) {
        var in = new JsonFields();
        in.object(body, "", List.of("name", "filter"));
        var errors = in.errors();
        String name = Json.text(body, "name", errors);
        JsonNode f = body.get("filter");
        var criteria = criteria(f, errors);
        String email = f != null && f.isObject() ? text(f, "email", errors) : null;
        String phone = f != null && f.isObject() ? text(f, "phone", errors) : null;
        Json.requireNoErrors(errors);
        return new Segments.Definition(name, email, phone, criteria);
    }

    /** A segment's filter from its JSON. */
    private static ProfileCriteria criteria(JsonNode f, List<FieldError> errors) {
        if (f == null || f.isNull()) return ProfileCriteria.NONE;
        if (!f.isObject()) {
            errors.add(new FieldError("filter", "must be an object"));
            return ProfileCriteria.NONE;
        }
        for (var it = f.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FILTER_KEYS.contains(k)) {
                errors.add(new FieldError("filter." + k, "unknown key (" + String.join(", ", FILTER_KEYS) + ")"));
            }
        }
        var fields = new LinkedHashMap<String, String>();
        var fs = f.get("fields");
        if (fs != null && !fs.isNull()) {
            if (!fs.isObject())
                errors.add(new FieldError("filter.fields", "must be an object of field keys to values"));
            else
                fs.fields().forEachRemaining(e -> {
                    if (e.getValue().isContainerNode() || e.getValue().isNull())
                        errors.add(
                                new FieldError("filter.fields." + e.getKey(), "must be a text, number or true/false"));
                    else fields.put(e.getKey(), e.getValue().asText());
                });
        }
        return new ProfileCriteria(
                text(f, "tag", errors),
                text(f, "goal", errors),
                text(f, "engagement", errors),
                fields,
                f.hasNonNull("lastVisitFrom") ? Json.instant(f, "lastVisitFrom", errors) : null,
                f.hasNonNull("lastVisitTo") ? Json.instant(f, "lastVisitTo", errors) : null,
                period(
                        f.hasNonNull("lastVisitWithin")
                                ? f.get("lastVisitWithin").asText()
                                : null,
                        "filter.lastVisitWithin",
                        errors),
                text(f, "sort", errors));
    }

    private static Map<String, Object> segment(Segments.Checked c) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", c.segment().segmentId());
        out.put("name", c.segment().name());
        out.put("filter", filter(c.segment().criteria()));
        out.put(
                "problems",
                c.problems().stream()
                        .map(e -> Map.of("path", e.path(), "message", e.message()))
                        .toList());
        return out;
    }

    private static String text(JsonNode f, String key, List<FieldError> errors) {
        var n = f.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            errors.add(new FieldError("filter." + key, "must be a text"));
            return null;
        }
        return n.asText();
    }

    private static Period period(String text, String path, List<FieldError> errors) {
        if (text == null) return null;
        var p = Durations.parsePeriod(text).orElse(null);
        if (p == null) errors.add(new FieldError(path, "must be an ISO-8601 period such as P30D"));
        return p;
    }

    /** A segment's filter as JSON, as it was saved. */
    private static Map<String, Object> filter(ProfileCriteria c) {
        var out = new LinkedHashMap<String, Object>();
        if (c.tag() != null) out.put("tag", c.tag());
        if (c.goal() != null) out.put("goal", c.goal());
        if (c.engagement() != null) out.put("engagement", c.engagement());
        if (!c.fields().isEmpty()) out.put("fields", c.fields());
        if (c.lastVisitFrom() != null)
            out.put("lastVisitFrom", c.lastVisitFrom().toString());
        if (c.lastVisitTo() != null) out.put("lastVisitTo", c.lastVisitTo().toString());
        if (c.lastVisitWithin() != null)
            out.put("lastVisitWithin", c.lastVisitWithin().toString());
        if (c.sort() != null) out.put("sort", c.sort());
        return out;
    }

    private static Map<String, Object> row(ProfileLists.Row r, List<String> columns) {
        var s = r.subject();
        var out = new LinkedHashMap<String, Object>();
        for (String c : columns) {
            switch (c) {
                case "id" -> out.put(c, s.subjectId());
                case "subjectType" -> out.put(c, s.subjectType());
                case "firstSeen" -> out.put(c, s.firstSeenAt().toString());
                case "lastSeen" -> out.put(c, s.lastSeenAt().toString());
                case "visits" -> out.put(c, r.visits());
                case "engagement" ->
                    out.put(
                            c,
                            Map.of(
                                    "score",
                                    r.engagement().score(),
                                    "level",
                                    r.engagement().level()));
                default -> {
                    var v = r.fields().get(c.substring("field.".length()));
                    out.put(c, v == null ? null : v.typed());
                }
            }
        }
        return out;
    }

    private static Map<String, Object> view(ProfileView p) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", p.profileId());
        out.put("subjectType", p.subjectType());
        out.put("contact", plain(p.contact()));
        var identifiers = new LinkedHashMap<String, Object>();
        p.identifiers()
                .forEach((kind, list) -> identifiers.put(
                        kind,
                        list.stream()
                                .map(i -> {
                                    var one = new LinkedHashMap<String, Object>();
                                    one.put(
                                            "value",
                                            i.value() == null ? null : i.value().value());
                                    one.put("latest", i.latest());
                                    one.put(
                                            "firstCollectedAt",
                                            i.firstCollectedAt().toString());
                                    one.put("collectedAt", i.collectedAt().toString());
                                    return one;
                                })
                                .toList()));
        out.put("identifiers", identifiers);
        var traits = new LinkedHashMap<String, Object>();
        p.traits().forEach((k, v) -> traits.put(k, v.typed()));
        out.put("traits", traits);
        out.put("tags", p.tags().stream().map(t -> t.value()).toList());
        var s = p.summary();
        out.put(
                "summary",
                Map.of(
                        "firstVisit",
                        s.firstSeen().toString(),
                        "lastVisit",
                        s.lastSeen().toString(),
                        "visits",
                        s.visits(),
                        "events",
                        s.events(),
                        "messages",
                        s.messages(),
                        "devices",
                        s.devices()));
        out.put(
                "engagement",
                Map.of("score", p.engagement().score(), "level", p.engagement().level()));
        out.put(
                "interests",
                p.interests().stream()
                        .map(i -> Map.of("interest", i.value().value(), "count", i.count()))
                        .toList());
        out.put(
                "goals",
                p.goals().stream()
                        .map(g -> Map.of(
                                "goalId", g.goalId(),
                                "name", g.name(),
                                "firstAchievedAt", g.firstAchievedAt().toString(),
                                "times", g.times()))
                        .toList());
        out.put(
                "campaigns",
                p.campaigns().stream()
                        .map(c -> Map.of(
                                "campaign",
                                c.campaign().value(),
                                "first",
                                c.first().toString(),
                                "last",
                                c.last().toString()))
                        .toList());
        out.put(
                "visits",
                p.visits().stream()
                        .map(v -> {
                            var visit = new LinkedHashMap<String, Object>();
                            visit.put("sessionId", v.sessionId());
                            visit.put("startedAt", v.startedAt().toString());
                            visit.put("durationSeconds", v.duration().toSeconds());
                            visit.put("pages", v.pages());
                            visit.put("events", v.events());
                            visit.put("source", plain(v.source()));
                            visit.put("importantEvents", v.importantEvents());
                            visit.put("goals", v.goals());
                            visit.put("ended", v.ended());
                            return visit;
                        })
                        .toList());
        return out;
    }

    private static Map<String, Object> plain(Map<String, Sensitive> values) {
        var out = new LinkedHashMap<String, Object>();
        values.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    /** A value as the caller sent it: a text, or a list of texts. */
    private static Object plain(Sensitive v) {
        return v.isList() ? v.items() : v.value();
    }
}
