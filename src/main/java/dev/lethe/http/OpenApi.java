package dev.lethe.http;

import com.fasterxml.classmate.ResolvedType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.CustomDefinitionProviderV2;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfig;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document, generated from the routes as registered, so it lists every route and
 * only those.
 */
final class OpenApi {

    private static final String SCHEMAS = "components/schemas";
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    /**
     * The last document made, with what it was made from. Generating the schemas takes a few
     * hundred milliseconds of CPU; a JVM that starts many servers with the same routes (the test
     * suite starts hundreds) makes it once. Each caller gets its own copy.
     */
    private static final AtomicReference<Made> LAST = new AtomicReference<>();

    private record Made(List<RouteDoc> routes, String version, ObjectNode document) {}

    private OpenApi() {}

    /** The document for these routes: a copy of the last one made when the routes are the same. */
    static ObjectNode document(List<RouteDoc> routes, String version) {
        Made last = LAST.get();
        if (last != null && last.version().equals(version) && last.routes().equals(routes))
            return last.document().deepCopy();
        ObjectNode made = generate(routes, version);
        LAST.set(new Made(List.copyOf(routes), version, made));
        return made.deepCopy();
    }

    private static ObjectNode generate(List<RouteDoc> routes, String version) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("openapi", "3.1.0");
        ObjectNode info = root.putObject("info");
        info.put("title", "Lethe");
        info.put("version", version);
        info.put(
                "description",
                "A personal-data platform that forgets on time. Errors are application/problem+json with errors: [{path, message}]."
                        + " A route takes only the query parameters listed here, each once: any other is refused (400), with every problem named at once."
                        + " Paged lists answer nextCursor (null once the list ended; a page ending exactly at the end may carry one that leads to an empty page); pass it back as the cursor parameter with the same filters.");
        ObjectNode components = root.putObject("components");
        ObjectNode bearer = components.putObject("securitySchemes").putObject("bearer");
        bearer.put("type", "http");
        bearer.put("scheme", "bearer");
        var answers = new SchemaGenerator(config(true)).buildMultipleSchemaDefinitions();
        var requests = new SchemaGenerator(config(false));
        ObjectNode paths = root.putObject("paths");
        for (RouteDoc r : routes) {
            ObjectNode path = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode op = path.putObject(r.method().name().toLowerCase(Locale.ROOT));
            op.put("summary", r.summary());
            op.put(
                    "operationId",
                    r.method().name().toLowerCase(Locale.ROOT) + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
            if (!r.access().isPublic()) {
                op.put("description", "Needs a key with the " + r.access().describe() + " scope.");
                op.putArray("security").addObject().putArray("bearer");
            }
            ArrayNode params = op.putArray("parameters");
            var m = PATH_PARAM.matcher(r.path());
            while (m.find()) {
                ObjectNode p = params.addObject();
                p.put("name", m.group(1));
                p.put("in", "path");
                p.put("required", true);
                p.putObject("schema").put("type", "string");
            }
            for (var q : r.query()) {
                ObjectNode p = params.addObject();
                p.put("name", q.name());
                p.put("in", "query");
                p.put("description", q.description());
                if (q.repeatable()) {
                    p.putObject("schema")
                            .put("type", "array")
                            .putObject("items")
                            .put("type", "string");
                    p.put("explode", true);
                } else {
                    p.putObject("schema").put("type", "string");
                }
            }
            if (!r.requestTypes().isEmpty()) {
                ObjectNode content =
                        op.putObject("requestBody").put("required", true).putObject("content");
                r.requestTypes().forEach(t -> {
                    ObjectNode media = content.putObject(t);
                    if (r.requestBody() != null && t.equals("application/json"))
                        media.set("schema", requests.generateSchema(r.requestBody()));
                    // an upload's form: one part, the file
                    if (t.equals(MultipartUpload.MEDIA_TYPE)) {
                        ObjectNode schema = media.putObject("schema").put("type", "object");
                        schema.putArray("required").add(MultipartUpload.FILE_PART);
                        schema.putObject("properties")
                                .putObject(MultipartUpload.FILE_PART)
                                .put("type", "string")
                                .put("format", "binary");
                        media.putObject("encoding")
                                .putObject(MultipartUpload.FILE_PART)
                                .put("contentType", String.join(", ", MultipartUpload.FILE_TYPES));
                    }
                });
            }
            ObjectNode responses = op.putObject("responses");
            var statuses = new TreeMap<Integer, Class<?>>(r.otherAnswers());
            statuses.put(r.successStatus(), r.responseBody());
            statuses.forEach((status, type) -> {
                ObjectNode ok = responses.putObject(Integer.toString(status));
                ok.put("description", status == 204 ? "Done" : "Success");
                if (status == 204) return;
                ObjectNode content = ok.putObject("content");
                r.responseTypes().forEach(t -> {
                    ObjectNode media = content.putObject(t);
                    if (type != null && t.equals("application/json"))
                        media.set("schema", answers.createSchemaReference(type));
                });
            });
            new TreeMap<>(r.problems())
                    .forEach((status, meaning) -> responses
                            .putObject(Integer.toString(status))
                            .put("description", meaning)
                            .putObject("content")
                            .putObject(Problems.MEDIA_TYPE)
                            .set("schema", answers.createSchemaReference(Problem.class)));
            ObjectNode failure = responses.putObject("default");
            failure.put(
                    "description",
                    "A problem: 400 unreadable, 401 no valid key, 403 not allowed, 404 not found, "
                            + (r.requestTypes().isEmpty()
                                    ? ""
                                    : "415 a body in another media type or charset than UTF-8, ")
                            + "422 invalid");
            failure.putObject("content")
                    .putObject(Problems.MEDIA_TYPE)
                    .set("schema", answers.createSchemaReference(Problem.class));
        }
        components.set("schemas", answers.collectDefinitions(SCHEMAS));
        return root;
    }

    /**
     * JSON Schema 2020-12, the dialect of OpenAPI 3.1. Answers: every component of a record is
     * always written (null where it has no value), so each is required and may be null unless it
     * is a number, a true/false, a list or a map (lists and maps are empty, never null); their
     * schemas are shared under components. Requests: a component is required only where it is
     * marked {@code @JsonProperty(required = true)}; their schemas are written inline. Neither
     * takes properties it does not name: Lethe refuses unknown keys, and answers only what it
     * documents.
     */
    /**
     * A schema's name in components: the record's name, after the type it is nested in unless that
     * is a route class ({@code Verification.Problem} is VerificationProblem,
     * {@code AccountRoutes.NewKey} is NewKey); a generic type is named with its arguments
     * ({@code Map<String, Section>} is MapOfStringSection).
     */
    private static String schemaName(ResolvedType type) {
        Class<?> c = type.getErasedType();
        var name = new StringBuilder(c.getSimpleName());
        if (!type.getTypeParameters().isEmpty()) {
            name.append("Of");
            type.getTypeParameters().forEach(t -> name.append(schemaName(t)));
        }
        for (Class<?> outer = c.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass())
            if (!outer.getSimpleName().endsWith("Routes")) name.insert(0, outer.getSimpleName());
        return name.toString();
    }

    /** A property's place among its record's components, so the schema reads in the record's order. */
    private static int declaredPosition(MemberScope<?, ?> member) {
        var components = member.getDeclaringType().getErasedType().getRecordComponents();
        if (components != null)
            for (int i = 0; i < components.length; i++)
                if (components[i].getName().equals(member.getDeclaredName())) return i;
        return Integer.MAX_VALUE;
    }

    private static SchemaGeneratorConfig config(boolean answers) {
        var builder = new SchemaGeneratorConfigBuilder(
                        Json.MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(
                        JacksonOption.RESPECT_JSONPROPERTY_REQUIRED, JacksonOption.RESPECT_JSONPROPERTY_ORDER))
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .with(Option.STANDARD_FORMATS, Option.FLATTENED_ENUMS_FROM_TOSTRING)
                .without(Option.SCHEMA_VERSION_INDICATOR);
        builder.forTypesInGeneral()
                .withPropertySorter(Comparator.comparingInt(OpenApi::declaredPosition))
                .withDefinitionNamingStrategy((key, context) -> schemaName(key.getType()))
                // JSON passed through as it is (audit targets and details, a policy document): any value.
                .withCustomDefinitionProvider(
                        (CustomDefinitionProviderV2) (type, context) -> type.isInstanceOf(JsonNode.class)
                                ? new CustomDefinition(
                                        context.getGeneratorConfig().createObjectNode(),
                                        CustomDefinition.INLINE_DEFINITION,
                                        CustomDefinition.EXCLUDING_ATTRIBUTES)
                                : null);
        if (answers) {
            builder.forFields()
                    .withRequiredCheck(field -> true)
                    .withNullableCheck(field -> !field.getType().isPrimitive()
                            && !field.getType().isInstanceOf(Collection.class)
                            && !field.getType().isInstanceOf(Map.class));
        } else {
            builder.with(Option.INLINE_ALL_SCHEMAS);
        }
        return builder.build();
    }
}
