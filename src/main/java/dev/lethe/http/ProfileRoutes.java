package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.PATCH;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.input.JsonFields;
import dev.lethe.profiles.Engagement;
import dev.lethe.profiles.Merged;
import dev.lethe.profiles.ProfileCriteria;
import dev.lethe.profiles.ProfileLists;
import dev.lethe.profiles.ProfileView;
import dev.lethe.profiles.Profiles;
import dev.lethe.profiles.Rectification;
import dev.lethe.profiles.Segments;
import dev.lethe.registry.Durations;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
                .answers(ProfilePage.class)
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
                    ctx.json(new ProfilePage(
                            page.profiles().stream()
                                    .map(r -> row(r, page.columns()))
                                    .toList(),
                            page.nextCursor()));
                });
        api.route(POST, "/v1/segments")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Save a segment {name, filter: {tag?, goal?, engagement?, fields?: {key: value}, lastVisitFrom?, lastVisitTo?, lastVisitWithin?, sort?}}; list it with ?segment=")
                .body(SegmentBody.class)
                .returns(201)
                .answers(SavedSegment.class)
                .handle((ctx, caller) -> {
                    var saved = profiles.segments().saveSegment(caller, definition(Json.object(ctx)));
                    ctx.status(201).json(new SavedSegment(saved.segmentId(), saved.name()));
                });
        api.route(GET, "/v1/segments")
                .access(Access.needs(Scope.READ))
                .summary("The account's saved segments, each with what it misses now (problems)")
                .answers(SegmentList.class)
                .handle((ctx, caller) -> ctx.json(new SegmentList(profiles.segments().segments(caller).stream()
                        .map(ProfileRoutes::segment)
                        .toList())));
        api.route(GET, "/v1/segments/{id}")
                .access(Access.needs(Scope.READ))
                .summary(
                        "One saved segment: its name, its filter and its problems (a goal or custom field it names that is gone)")
                .answers(SegmentView.class)
                .handle((ctx, caller) -> ctx.json(
                        segment(profiles.segments().segment(caller, Json.idPath(ctx, "id", SEGMENT_NOT_FOUND)))));
        api.route(PUT, "/v1/segments/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary("Replace a segment's name and filter ({name, filter}), checked as when it is saved")
                .body(SegmentBody.class)
                .answers(SegmentView.class)
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
                .body(TagChange.class)
                .answers(TagList.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", List.of("add", "remove"));
                    var add = in.texts(body, "", "add");
                    var remove = in.texts(body, "", "remove");
                    in.requireValid();
                    ctx.json(new TagList(
                            profiles.tags().tag(caller, Json.idPath(ctx, "id", "No such profile."), add, remove)));
                });
        api.route(POST, "/v1/profiles/{id}/merge")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Merge another profile ({from}) into this one: its values (with their keys), visits and identifiers move here; it ceases to exist")
                .body(MergeBody.class)
                .answers(Merged.class)
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
                .answers(ProfileDocument.class)
                .handle((ctx, caller) ->
                        ctx.json(view(profiles.views().view(caller, Json.idPath(ctx, "id", "No such profile.")))));
        api.route(PATCH, "/v1/profiles/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Correct a profile's traits {traits: {name: value}} (rectification, GDPR Art. 16): the values held of each field are replaced, sealed anew; audited with the field names")
                .body(RectifyBody.class)
                .answers(Rectification.Rectified.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", "No such profile.");
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(RectifyBody.class));
                    var traits = body == null ? java.util.Map.<String, Sensitive>of() : in.values(body, "", "traits");
                    if (body != null && !body.hasNonNull("traits")) in.error("traits", "is required");
                    in.requireValid();
                    ctx.json(profiles.rectification().rectify(caller, id, traits));
                });
    }

    /**
     * {@code PATCH /v1/profiles/{id}}.
     *
     * @param traits the corrected values, by trait name
     */
    record RectifyBody(java.util.Map<String, Object> traits) {}

    private static final String SEGMENT_NOT_FOUND = "No such segment.";

    /** The keys of a segment's filter: what it may select by, and email and phone, refused with a reason. */
    private static final List<String> FILTER_KEYS = Stream.concat(
                    JsonFields.keys(SegmentFilter.class).stream(), Stream.of("email", "phone"))
            .toList();

    /** A segment's name and filter as the body gives them; the rules are the segments feature's. */
    private static Segments.Definition definition(JsonNode body) {
        var in = new JsonFields();
        in.object(body, "", JsonFields.keys(SegmentBody.class));
        String name = in.requiredText(body, "", "name");
        JsonNode f = in.optionalObject(body, "", "filter", FILTER_KEYS);
        var criteria = f == null ? ProfileCriteria.NONE : criteria(f, in);
        String email = f == null ? null : in.optionalText(f, "filter", "email");
        String phone = f == null ? null : in.optionalText(f, "filter", "phone");
        in.requireValid();
        return new Segments.Definition(name, email, phone, criteria);
    }

    /** A segment's filter from its JSON, every mistake at its path under {@code filter}. */
    static ProfileCriteria criteria(JsonNode f, JsonFields in) {
        var fields = new LinkedHashMap<String, String>();
        JsonNode fs = f.get("fields");
        if (fs != null && !fs.isNull()) {
            if (!fs.isObject()) in.error("filter.fields", "must be an object of field keys to values");
            else
                for (var e : fs.properties()) {
                    String at = JsonFields.at("filter.fields", e.getKey());
                    if (e.getValue().isNull()) in.error(at, JsonFields.SCALAR_EXPECTED);
                    else in.scalar(e.getValue(), at).ifPresent(v -> fields.put(e.getKey(), v.value()));
                }
        }
        String within = in.optionalText(f, "filter", "lastVisitWithin");
        Period period = within == null ? null : Durations.parsePeriod(within).orElse(null);
        if (within != null && period == null)
            in.error("filter.lastVisitWithin", "must be an ISO-8601 period such as P30D");
        return new ProfileCriteria(
                in.optionalText(f, "filter", "tag"),
                in.optionalText(f, "filter", "goal"),
                in.optionalText(f, "filter", "engagement"),
                fields,
                in.optionalInstant(f, "filter", "lastVisitFrom"),
                in.optionalInstant(f, "filter", "lastVisitTo"),
                period,
                in.optionalText(f, "filter", "sort"));
    }

    private static SegmentView segment(Segments.Checked c) {
        return new SegmentView(
                c.segment().segmentId(),
                c.segment().name(),
                filter(c.segment().criteria()),
                c.problems().stream()
                        .map(e -> new Problem.FieldProblem(e.path(), e.message()))
                        .toList());
    }

    /** A segment's filter as JSON, as it was saved. */
    private static Map<String, Object> filter(ProfileCriteria c) {
        return c.asMap();
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

    private static ProfileDocument view(ProfileView p) {
        var identifiers = new LinkedHashMap<String, List<IdentifierView>>();
        p.identifiers()
                .forEach((kind, list) -> identifiers.put(
                        kind,
                        list.stream()
                                .map(i -> new IdentifierView(
                                        i.value() == null ? null : i.value().value(),
                                        i.latest(),
                                        i.firstCollectedAt(),
                                        i.collectedAt()))
                                .toList()));
        var traits = new LinkedHashMap<String, Object>();
        p.traits().forEach((k, v) -> traits.put(k, v.typed()));
        var s = p.summary();
        return new ProfileDocument(
                p.profileId(),
                p.subjectType(),
                plain(p.contact()),
                identifiers,
                traits,
                p.tags().stream().map(Sensitive::value).toList(),
                new SummaryView(s.firstSeen(), s.lastSeen(), s.visits(), s.events(), s.messages(), s.devices()),
                p.engagement(),
                p.interests().stream()
                        .map(i -> new InterestView(i.value().value(), i.count()))
                        .toList(),
                p.goals(),
                p.campaigns().stream()
                        .map(c -> new CampaignView(c.campaign().value(), c.first(), c.last()))
                        .toList(),
                p.visits().stream()
                        .map(v -> new VisitView(
                                v.sessionId(),
                                v.startedAt(),
                                v.duration().toSeconds(),
                                v.pages(),
                                v.events(),
                                plain(v.source()),
                                v.importantEvents(),
                                v.goals(),
                                v.ended()))
                        .toList(),
                consentStates(p),
                p.minor());
    }

    private static Map<String, ConsentStateView> consentStates(ProfileView p) {
        var out = new java.util.TreeMap<String, ConsentStateView>();
        p.consents()
                .forEach((purpose, s) -> out.put(
                        purpose,
                        new ConsentStateView(
                                s.granted(), s.current(), s.at(), s.policyVersion(), s.source(), s.consentId())));
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

    /** {@code POST /v1/segments}, {@code PUT /v1/segments/{id}}: a name and a filter. */
    record SegmentBody(@JsonProperty(required = true) String name, SegmentFilter filter) {}

    /**
     * What a segment selects; it names no person (no email or phone).
     *
     * @param fields filterable custom fields by key, each a text, number or true/false
     */
    record SegmentFilter(
            String tag,
            String goal,
            String engagement,
            Map<String, Object> fields,
            Instant lastVisitFrom,
            Instant lastVisitTo,
            String lastVisitWithin,
            String sort) {}

    /** {@code POST /v1/profiles/{id}/tags}: tags to add and to remove (case-insensitive). */
    record TagChange(List<String> add, List<String> remove) {}

    /** {@code POST /v1/profiles/{id}/merge}: the profile to merge into this one. */
    record MergeBody(@JsonProperty(required = true) String from) {}

    /**
     * A page of profiles.
     *
     * @param profiles one object per profile with the columns asked for ({@code id, subjectType,
     *     firstSeen, lastSeen, visits, engagement, field.<key>})
     * @param nextCursor the next page's {@code cursor}; null on the last page
     */
    record ProfilePage(List<Map<String, Object>> profiles, String nextCursor) {}

    record SavedSegment(String id, String name) {}

    /**
     * A saved segment, with what it misses now.
     *
     * @param problems a goal or custom field it names that is gone, by path
     */
    record SegmentView(String id, String name, Map<String, Object> filter, List<Problem.FieldProblem> problems) {}

    record SegmentList(List<SegmentView> segments) {}

    record TagList(List<String> tags) {}

    /**
     * One profile, decrypted.
     *
     * @param contact the latest email, phone and external id held
     * @param identifiers every identifier that finds the profile, by kind (email, phone,
     *     externalId, visitorId), newest first
     * @param traits values by name: a text, a number or true/false (a custom field's type), or a
     *     list of texts
     * @param consents per purpose, the person's latest answer: "when, and under which policy"
     * @param minor below the digital age of consent of their country: no consent-based processing
     */
    record ProfileDocument(
            String id,
            String subjectType,
            Map<String, Object> contact,
            Map<String, List<IdentifierView>> identifiers,
            Map<String, Object> traits,
            List<String> tags,
            SummaryView summary,
            Engagement engagement,
            List<InterestView> interests,
            List<ProfileView.GoalAchieved> goals,
            List<CampaignView> campaigns,
            List<VisitView> visits,
            Map<String, ConsentStateView> consents,
            boolean minor) {}

    /**
     * Where the person stands on one purpose: the latest answer, when, under which privacy-policy
     * version and from which source; {@code current} is false for a grant under a version since
     * superseded by one requiring re-consent, or for a minor.
     */
    record ConsentStateView(
            boolean granted, boolean current, Instant at, String policyVersion, String source, String consentId) {}

    /**
     * One identifier of a profile.
     *
     * @param value null where only its blind index is kept (a visitor id the policy does not map)
     * @param latest whether it is the one most recently given of its kind
     */
    record IdentifierView(String value, boolean latest, Instant firstCollectedAt, Instant collectedAt) {}

    record SummaryView(Instant firstVisit, Instant lastVisit, int visits, int events, int messages, int devices) {}

    record InterestView(String interest, int count) {}

    record CampaignView(String campaign, Instant first, Instant last) {}

    record VisitView(
            String sessionId,
            Instant startedAt,
            long durationSeconds,
            int pages,
            int events,
            Map<String, Object> source,
            Map<String, Integer> importantEvents,
            List<String> goals,
            boolean ended) {}
}
