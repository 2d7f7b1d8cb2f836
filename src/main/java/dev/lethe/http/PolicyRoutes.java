package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import dev.lethe.accounts.Account;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.CustomField;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.registry.PolicyWriter;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The policy registry over HTTP. */
final class PolicyRoutes {

    private static final String YAML = RequestBody.YAML;

    private final PolicyService policies;

    PolicyRoutes(PolicyService policies) {
        this.policies = policies;
    }

    void register(Api api) {
        api.route(PUT, "/v1/policy")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Submit a new policy version (YAML or JSON); custom fields it does not mention are kept (customFieldsKept); 422 lists every error, 403 names retention beyond the operator's bounds, 409 names saved segments that filter on a custom field it removes or changes")
                .accepts(YAML, "application/json")
                .returns(201)
                .handle((ctx, caller) ->
                        ctx.status(201).json(submitted(policies.submit(caller, body(ctx), isJson(ctx)))));
        api.route(POST, "/v1/policy/validate")
                .access(Access.needs(Scope.ADMIN))
                .summary("Check a policy without saving it: every error, and retention beyond the operator's bounds")
                .accepts(YAML, "application/json")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "valid",
                        true,
                        "beyondOperatorBounds",
                        fieldErrors(policies.check(caller, body(ctx), isJson(ctx))))));
        api.route(GET, "/v1/policy")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The policy in force (the account's latest version, else the platform default); ?format=yaml gives the submitted text")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .parse(PolicyRoutes::format)
                .handle((ctx, caller, format) -> render(ctx, format, policies.requireInForce(caller.accountId())));
        api.route(GET, "/v1/policy/versions")
                .access(Access.needs(Scope.READ))
                .summary("The account's policy versions, newest first")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "versions",
                        policies.versions(caller.accountId()).stream()
                                .map(PolicyRoutes::summary)
                                .toList())));
        api.route(GET, "/v1/policy/versions/{version}")
                .access(Access.needs(Scope.READ))
                .summary("One policy version")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .parse(PolicyRoutes::format)
                .handle((ctx, caller, format) ->
                        render(ctx, format, policies.version(caller.accountId(), Json.intPath(ctx, "version"))));
        api.route(GET, "/v1/policy/diff")
                .access(Access.needs(Scope.READ))
                .summary(
                        "What changed between two versions: categories, records, processors, cookies and retention periods")
                .query("from", "version number (required)")
                .query("to", "version number (required)")
                .parse((q, caller) -> new Versions(
                        q.requiredInteger("from", 1, Integer.MAX_VALUE), q.requiredInteger("to", 1, Integer.MAX_VALUE)))
                .handle((ctx, caller, v) -> ctx.json(Map.of(
                        "from", v.from(), "to", v.to(), "diff", policies.diff(caller.accountId(), v.from(), v.to()))));
        api.route(POST, "/v1/fields")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Add a custom profile field {key, displayName, category, type: text|number|boolean|date, filterable?}; a new policy version")
                .accepts("application/json")
                .returns(201)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(
                            Json.object(ctx), "", List.of("key", "displayName", "category", "type", "filterable"));
                    var errors = in.errors();
                    String key = Json.text(body, "key", errors);
                    String category = Json.text(body, "category", errors);
                    String displayName = in.optionalText(body, "", "displayName");
                    String typeText = body.hasNonNull("type") ? in.optionalText(body, "", "type") : "text";
                    CustomField.Type type = null;
                    for (var t : CustomField.Type.values()) if (t.wireName().equals(typeText)) type = t;
                    if (type == null) errors.add(new FieldError("type", "must be text, number, boolean or date"));
                    boolean filterable = false;
                    if (body.has("filterable")) {
                        if (body.get("filterable").isBoolean())
                            filterable = body.get("filterable").asBoolean();
                        else errors.add(new FieldError("filterable", "must be true or false"));
                    }
                    if (key != null && !key.matches("[a-z][a-z0-9_]{0,63}")) {
                        errors.add(new FieldError("key", "must be lower_snake_case, at most 64 characters"));
                    }
                    Json.requireNoErrors(errors);
                    var field = new CustomField(
                            key, displayName == null ? key.replace('_', ' ') : displayName, category, type, filterable);
                    var version = policies.addCustomField(caller, field);
                    var out = summary(version);
                    out.put("field", field(field));
                    ctx.status(201).json(out);
                });
        api.route(DELETE, "/v1/fields/{key}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Remove a custom profile field: a new policy version without it; 409 while a saved segment filters on it")
                .handle((ctx, caller) -> {
                    String key = ctx.pathParam("key");
                    var out = summary(policies.removeCustomField(caller, key));
                    out.put("removed", key);
                    ctx.json(out);
                });
        api.route(GET, "/v1/fields")
                .access(Access.needs(Scope.READ))
                .summary("The account's custom profile fields, from the policy in force")
                .handle((ctx, caller) -> ctx.json(Map.of(
                        "fields",
                        policies.requireInForce(caller.accountId()).policy().customFields().values().stream()
                                .map(PolicyRoutes::field)
                                .toList())));
        api.route(PUT, "/v1/platform/policy")
                .access(Access.needs(Scope.OPERATOR))
                .summary(
                        "Set the platform default policy: it applies to accounts without their own and bounds every account's retention")
                .accepts(YAML, "application/json")
                .returns(201)
                .handle((ctx, caller) ->
                        ctx.status(201).json(submitted(policies.submit(caller, body(ctx), isJson(ctx)))));
        api.route(GET, "/v1/platform/policy")
                .access(Access.needs(Scope.OPERATOR))
                .summary("The platform default policy")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .parse(PolicyRoutes::format)
                .handle((ctx, caller, format) -> render(
                        ctx,
                        format,
                        policies.platformDefault()
                                .orElseThrow(() -> new NotFoundException("No platform default policy yet."))));
    }

    /** The policy's form asked for: json (the default) or yaml, the text as submitted. */
    private static String format(Query q, Caller caller) {
        return q.oneOf("format", List.of("json", "yaml"));
    }

    /** The two versions a diff compares (null when at fault; the route then does not run). */
    private record Versions(Integer from, Integer to) {}

    /** The policy document, as {@link RequestBody} took it in (YAML or JSON, UTF-8). */
    private static String body(Context ctx) {
        String body = RequestBody.text(ctx);
        if (body.isBlank())
            throw new BadRequestException(
                    "The request needs a policy document as its body.", List.of(new FieldError("", "empty body")));
        return body;
    }

    private static boolean isJson(Context ctx) {
        return RequestBody.mediaType(ctx).equals(RequestBody.JSON);
    }

    private static void render(Context ctx, String format, PolicyVersion v) {
        if ("yaml".equals(format)) {
            ctx.contentType(YAML).result(v.yaml());
            return;
        }
        var out = summary(v);
        out.put("policy", PolicyWriter.tree(v.policy()));
        ctx.json(out);
    }

    private static Map<String, Object> submitted(PolicyService.Submitted s) {
        var out = summary(s.version());
        out.put("customFieldsKept", s.customFieldsKept());
        out.put("customFieldsReplaced", s.customFieldsReplaced());
        return out;
    }

    private static Map<String, Object> summary(PolicyVersion v) {
        var out = new LinkedHashMap<String, Object>();
        out.put("version", v.version());
        out.put("platformDefault", Account.PLATFORM.equals(v.accountId()));
        out.put("author", v.author());
        out.put("createdAt", v.createdAt().toString());
        return out;
    }

    private static List<Map<String, String>> fieldErrors(List<FieldError> errors) {
        return errors.stream()
                .map(e -> Map.of("path", e.path(), "message", e.message()))
                .toList();
    }

    private static Map<String, Object> field(CustomField f) {
        return Map.of(
                "key",
                f.key(),
                "displayName",
                f.displayName(),
                "category",
                f.category(),
                "type",
                f.type().wireName(),
                "filterable",
                f.filterable());
    }
}
