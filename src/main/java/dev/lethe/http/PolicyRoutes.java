package dev.lethe.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Account;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.input.JsonFields;
import dev.lethe.registry.CustomField;
import dev.lethe.registry.PolicyDiff;
import dev.lethe.registry.PolicyService;
import dev.lethe.registry.PolicyVersion;
import dev.lethe.registry.PolicyWriter;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

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
                .body(JsonNode.class)
                .returns(201)
                .answers(Submitted.class)
                .handle((ctx, caller) ->
                        ctx.status(201).json(submitted(policies.submit(caller, body(ctx), isJson(ctx)))));
        api.route(POST, "/v1/policy/validate")
                .access(Access.needs(Scope.ADMIN))
                .summary("Check a policy without saving it: every error, and retention beyond the operator's bounds")
                .accepts(YAML, "application/json")
                .body(JsonNode.class)
                .answers(Validity.class)
                .handle((ctx, caller) ->
                        ctx.json(new Validity(true, fieldErrors(policies.check(caller, body(ctx), isJson(ctx))))));
        api.route(GET, "/v1/policy")
                .access(Access.needs(Scope.READ))
                .summary(
                        "The policy in force (the account's latest version, else the platform default); ?format=yaml gives the submitted text")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .answers(VersionDocument.class)
                .parse(PolicyRoutes::format)
                .handle((ctx, caller, format) -> render(ctx, format, policies.requireInForce(caller.accountId())));
        api.route(GET, "/v1/policy/versions")
                .access(Access.needs(Scope.READ))
                .summary("The account's policy versions, newest first")
                .answers(Versions.class)
                .handle((ctx, caller) -> ctx.json(new Versions(policies.versions(caller.accountId()).stream()
                        .map(PolicyRoutes::summary)
                        .toList())));
        api.route(GET, "/v1/policy/versions/{version}")
                .access(Access.needs(Scope.READ))
                .summary("One policy version")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .answers(VersionDocument.class)
                .parse(PolicyRoutes::format)
                .handle((ctx, caller, format) ->
                        render(ctx, format, policies.version(caller.accountId(), Json.intPath(ctx, "version"))));
        api.route(GET, "/v1/policy/diff")
                .access(Access.needs(Scope.READ))
                .summary(
                        "What changed between two versions: categories, records, processors, cookies and retention periods")
                .query("from", "version number (required)")
                .query("to", "version number (required)")
                .answers(Diff.class)
                .parse((q, caller) -> new DiffVersions(
                        q.requiredInteger("from", 1, Integer.MAX_VALUE), q.requiredInteger("to", 1, Integer.MAX_VALUE)))
                .handle((ctx, caller, v) ->
                        ctx.json(new Diff(v.from(), v.to(), policies.diff(caller.accountId(), v.from(), v.to()))));
        api.route(POST, "/v1/fields")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Add a custom profile field {key, displayName, category, type: text|number|boolean|date, filterable?}; a new policy version")
                .body(NewField.class)
                .returns(201)
                .answers(AddedField.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(NewField.class));
                    String key = in.requiredText(body, "", "key");
                    String category = in.requiredText(body, "", "category");
                    String displayName = in.optionalText(body, "", "displayName");
                    String typeText = in.optionalText(body, "", "type");
                    CustomField.Type type = CustomField.Type.TEXT;
                    if (typeText != null) {
                        type = null;
                        for (var t : CustomField.Type.values()) if (t.wireName().equals(typeText)) type = t;
                        if (type == null) in.error("type", "must be text, number, boolean or date");
                    }
                    Boolean filterable = in.optionalBoolean(body, "", "filterable");
                    if (key != null && !key.matches(CustomField.KEY))
                        in.error("key", "must be lower_snake_case, at most 64 characters");
                    in.requireValid();
                    var field = new CustomField(
                            key,
                            displayName == null ? key.replace('_', ' ') : displayName,
                            category,
                            type,
                            Boolean.TRUE.equals(filterable));
                    var version = policies.addCustomField(caller, field);
                    var v = summary(version);
                    ctx.status(201)
                            .json(new AddedField(
                                    v.version(), v.platformDefault(), v.author(), v.createdAt(), field(field)));
                });
        api.route(DELETE, "/v1/fields/{key}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Remove a custom profile field: a new policy version without it; 409 while a saved segment filters on it")
                .answers(RemovedField.class)
                .handle((ctx, caller) -> {
                    String key = ctx.pathParam("key");
                    var v = summary(policies.removeCustomField(caller, key));
                    ctx.json(new RemovedField(v.version(), v.platformDefault(), v.author(), v.createdAt(), key));
                });
        api.route(GET, "/v1/fields")
                .access(Access.needs(Scope.READ))
                .summary("The account's custom profile fields, from the policy in force")
                .answers(Fields.class)
                .handle((ctx, caller) -> ctx.json(
                        new Fields(policies.requireInForce(caller.accountId()).policy().customFields().values().stream()
                                .map(PolicyRoutes::field)
                                .toList())));
        api.route(PUT, "/v1/platform/policy")
                .access(Access.needs(Scope.OPERATOR))
                .summary(
                        "Set the platform default policy: it applies to accounts without their own and bounds every account's retention")
                .accepts(YAML, "application/json")
                .body(JsonNode.class)
                .returns(201)
                .answers(Submitted.class)
                .handle((ctx, caller) ->
                        ctx.status(201).json(submitted(policies.submit(caller, body(ctx), isJson(ctx)))));
        api.route(GET, "/v1/platform/policy")
                .access(Access.needs(Scope.OPERATOR))
                .summary("The platform default policy")
                .query("format", "json (default) or yaml")
                .returns(200, "application/json", YAML)
                .answers(VersionDocument.class)
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
    private record DiffVersions(Integer from, Integer to) {}

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
        var s = summary(v);
        ctx.json(new VersionDocument(
                s.version(), s.platformDefault(), s.author(), s.createdAt(), PolicyWriter.tree(v.policy())));
    }

    private static Submitted submitted(PolicyService.Submitted s) {
        var v = summary(s.version());
        return new Submitted(
                v.version(),
                v.platformDefault(),
                v.author(),
                v.createdAt(),
                s.customFieldsKept(),
                s.customFieldsReplaced());
    }

    private static VersionSummary summary(PolicyVersion v) {
        return new VersionSummary(v.version(), Account.PLATFORM.equals(v.accountId()), v.author(), v.createdAt());
    }

    private static List<Problem.FieldProblem> fieldErrors(List<FieldError> errors) {
        return errors.stream()
                .map(e -> new Problem.FieldProblem(e.path(), e.message()))
                .toList();
    }

    private static FieldView field(CustomField f) {
        return new FieldView(f.key(), f.displayName(), f.category(), f.type().wireName(), f.filterable());
    }

    /**
     * A policy version.
     *
     * @param platformDefault true for the platform's default policy, false for an account's own
     * @param author the key or user that submitted it
     */
    record VersionSummary(int version, boolean platformDefault, String author, Instant createdAt) {}

    /** A policy version with its document (see docs/policy-format.md). */
    record VersionDocument(int version, boolean platformDefault, String author, Instant createdAt, JsonNode policy) {}

    record Versions(List<VersionSummary> versions) {}

    /**
     * A policy version as submitted, and what Lethe did with the custom fields the document did
     * not declare.
     *
     * @param customFieldsKept custom fields made by {@code POST /v1/fields} that the document did
     *     not mention, carried into the new version
     * @param customFieldsReplaced custom fields whose trait the document maps itself
     */
    record Submitted(
            int version,
            boolean platformDefault,
            String author,
            Instant createdAt,
            List<String> customFieldsKept,
            List<String> customFieldsReplaced) {}

    /** The policy version without the field, and the field's key. */
    record RemovedField(int version, boolean platformDefault, String author, Instant createdAt, String removed) {}

    /** A policy that reads as valid, and the retention periods beyond the operator's bounds. */
    record Validity(boolean valid, List<Problem.FieldProblem> beyondOperatorBounds) {}

    /** What changed between versions {@code from} and {@code to}. */
    record Diff(int from, int to, PolicyDiff diff) {}

    /** {@code POST /v1/fields}: a custom profile field. */
    record NewField(
            @JsonProperty(required = true) String key,
            String displayName,
            @JsonProperty(required = true) String category,
            String type,
            Boolean filterable) {}

    /** A custom profile field. */
    record FieldView(String key, String displayName, String category, String type, boolean filterable) {}

    /** The policy version that added a custom field, and the field. */
    record AddedField(int version, boolean platformDefault, String author, Instant createdAt, FieldView field) {}

    record Fields(List<FieldView> fields) {}
}
