package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.profiles.ProfileService;
import dev.lethe.profiles.ProfileView;
import dev.lethe.subjects.Subject;
import dev.lethe.values.Sensitive;
import java.util.LinkedHashMap;
import java.util.Map;

/** Profiles over HTTP. Personal values leave the server only here, decrypted, and audited. */
final class ProfileRoutes {

    private final ProfileService profiles;

    ProfileRoutes(ProfileService profiles) {
        this.profiles = profiles;
    }

    void register(Api api) {
        api.route(GET, "/v1/profiles")
                .access(Access.needs(Scope.READ))
                .summary("Identified profiles, most recently seen first")
                .query("limit", "1..1000, default 100")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "profiles",
                        profiles.list(caller, Json.intParam(ctx, "limit", 100, 1, 1000)).stream()
                                .map(ProfileRoutes::row)
                                .toList())));
        api.route(POST, "/v1/profiles/{id}/merge")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Merge another profile ({from}) into this one: its values (re-encrypted), visits and identifiers move here; it ceases to exist")
                .accepts("application/json")
                .handle((ctx, caller) -> {
                    var errors = new java.util.ArrayList<dev.lethe.errors.FieldError>();
                    String from = Json.text(Json.object(ctx), "from", errors);
                    Json.requireNoErrors(errors);
                    ctx.json(profiles.mergeProfiles(caller, ctx.pathParam("id"), from));
                });
        api.route(GET, "/v1/profiles/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One profile: contact information, traits, summary and visits (decrypted; the read is audited)")
                .handle((ctx, caller) -> ctx.json(view(profiles.view(caller, ctx.pathParam("id")))));
    }

    private static Map<String, Object> row(Subject s) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", s.subjectId());
        out.put("subjectType", s.subjectType());
        out.put("firstSeen", s.firstSeenAt().toString());
        out.put("lastSeen", s.lastSeenAt().toString());
        return out;
    }

    private static Map<String, Object> view(ProfileView p) {
        var out = new LinkedHashMap<String, Object>();
        out.put("id", p.profileId());
        out.put("subjectType", p.subjectType());
        out.put("contact", plain(p.contact()));
        out.put("traits", plain(p.traits()));
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
