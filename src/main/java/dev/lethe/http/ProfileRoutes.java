package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.FieldError;
import dev.lethe.profiles.ProfileCriteria;
import dev.lethe.profiles.ProfileLists;
import dev.lethe.profiles.ProfileView;
import dev.lethe.profiles.Profiles;
import dev.lethe.registry.Durations;
import dev.lethe.values.Sensitive;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
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
                .query("limit", "1..1000, default 100")
                .query("cursor", "the next cursor of the previous page")
                .query(
                        "columns",
                        "comma-separated: id, subjectType, firstSeen, lastSeen (the default), visits, engagement, field.{key} (a custom field's value, decrypted; the read is audited)")
                .handle((ctx, caller) -> {
                    int limit = Json.intParam(ctx, "limit", 100, 1, 1000);
                    var errors = new ArrayList<FieldError>();
                    var fields = new LinkedHashMap<String, String>();
                    ctx.queryParamMap().forEach((name, values) -> {
                        if (name.startsWith("field.")) fields.put(name.substring("field.".length()), values.get(0));
                    });
                    var within = period(ctx.queryParam("lastVisitWithin"), "lastVisitWithin", errors);
                    Json.requireQueryErrors(errors);
                    var page = profiles.lists()
                            .list(
                                    caller,
                                    new ProfileLists.ProfileQuery(
                                            ctx.queryParam("segment"),
                                            ctx.queryParam("email"),
                                            ctx.queryParam("phone"),
                                            new ProfileCriteria(
                                                    ctx.queryParam("tag"),
                                                    ctx.queryParam("goal"),
                                                    ctx.queryParam("engagement"),
                                                    fields,
                                                    Json.instantParam(ctx, "lastVisitFrom"),
                                                    Json.instantParam(ctx, "lastVisitTo"),
                                                    within,
                                                    ctx.queryParam("sort")),
                                            ctx.queryParam("cursor"),
                                            limit,
                                            columns(ctx.queryParam("columns"))));
                    var out = new LinkedHashMap<String, Object>();
                    out.put(
                            "profiles",
                            page.profiles().stream()
                                    .map(r -> row(r, page.columns()))
                                    .toList());
                    out.put("next", page.next());
                    ctx.json(out);
                });
        api.route(POST, "/v1/segments")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Save a segment {name, filter: {tag?, goal?, engagement?, fields?: {key: value}, lastVisitFrom?, lastVisitTo?, lastVisitWithin?, sort?}}; list it with ?segment=")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    var errors = new ArrayList<FieldError>();
                    String name = Json.text(body, "name", errors);
                    var criteria = criteria(body.get("filter"), errors);
                    Json.requireNoErrors(errors);
                    var saved = profiles.segments().saveSegment(caller, name, criteria);
                    ctx.status(201).json(Map.of("id", saved.segmentId(), "name", saved.name()));
                });
        api.route(GET, "/v1/segments")
                .access(Access.needs(Scope.READ))
                .summary("The account's saved segments")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "segments",
                        profiles.segments().segments(caller).stream()
                                .map(seg -> Map.of(
                                        "id", seg.segmentId(), "name", seg.name(), "filter", filter(seg.criteria())))
                                .toList())));
        api.route(POST, "/v1/profiles/{id}/tags")
                .access(Access.needs(Scope.ADMIN))
                .summary("Add and remove tags on a profile: {add: [...], remove: [...]}; returns its tags")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var body = Json.object(ctx);
                    var errors = new ArrayList<FieldError>();
                    var add = texts(body, "add", errors);
                    var remove = texts(body, "remove", errors);
                    Json.requireNoErrors(errors);
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
                    var errors = new ArrayList<FieldError>();
                    String from = Json.text(Json.object(ctx), "from", errors);
                    Json.requireNoErrors(errors);
                    ctx.json(profiles.merges().mergeProfiles(caller, Json.idPath(ctx, "id", "No such profile."), from));
                });
        api.route(GET, "/v1/profiles/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One profile: contact information, traits, summary and visits (decrypted; the read is audited)")
                .handle((ctx, caller) ->
                        ctx.json(view(profiles.views().view(caller, Json.idPath(ctx, "id", "No such profile.")))));
    }

    private static final List<String> FILTER_KEYS =
            List.of("tag", "goal", "engagement", "fields", "lastVisitFrom", "lastVisitTo", "lastVisitWithin", "sort");

    /** A segment's filter from its JSON; a key that could name a person is refused with a reason. */
    private static ProfileCriteria criteria(JsonNode f, List<FieldError> errors) {
        if (f == null || f.isNull()) return ProfileCriteria.NONE;
        if (!f.isObject()) {
            errors.add(new FieldError("filter", "must be an object"));
            return ProfileCriteria.NONE;
        }
        for (var it = f.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FILTER_KEYS.contains(k)) {
                errors.add(new FieldError(
                        "filter." + k,
                        k.equals("email") || k.equals("phone")
                                ? "a saved segment cannot name a person; filter by tag, goal, engagement, fields or last visit"
                                : "unknown key (" + String.join(", ", FILTER_KEYS) + ")"));
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

    private static List<String> columns(String text) {
        if (text == null || text.isBlank()) return null;
        return Arrays.stream(text.split(",")).map(String::strip).toList();
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
                    out.put(c, v == null ? null : v.value());
                }
            }
        }
        return out;
    }

    private static List<String> texts(JsonNode body, String key, List<FieldError> errors) {
        var n = body.get(key);
        var out = new ArrayList<String>();
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) {
            errors.add(new FieldError(key, "must be a list of texts"));
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) errors.add(new FieldError(key + "[" + i + "]", "must be a text"));
            else out.add(n.get(i).asText());
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
        out.put("traits", plain(p.traits()));
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

    private static Map<String, String> plain(Map<String, Sensitive> values) {
        var out = new LinkedHashMap<String, String>();
        values.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }
}
