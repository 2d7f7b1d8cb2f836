package dev.lethe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document, generated from the routes as registered, so it lists every route and
 * only those.
 */
final class OpenApi {

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApi() {}

    static ObjectNode document(List<RouteDoc> routes, String version) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("openapi", "3.1.0");
        ObjectNode info = root.putObject("info");
        info.put("title", "Lethe");
        info.put("version", version);
        info.put(
                "description",
                "A personal-data platform that forgets on time. Errors are application/problem+json with errors: [{path, message}]."
                        + " A route takes only the query parameters listed here, each once: any other is refused (400), with every problem named at once."
                        + " Paged lists answer nextCursor (null on the last page); pass it back as the cursor parameter with the same filters.");
        ObjectNode components = root.putObject("components");
        ObjectNode bearer = components.putObject("securitySchemes").putObject("bearer");
        bearer.put("type", "http");
        bearer.put("scheme", "bearer");
        ObjectNode problem = components.putObject("schemas").putObject("Problem");
        problem.put("type", "object");
        ObjectNode props = problem.putObject("properties");
        props.putObject("title").put("type", "string");
        props.putObject("status").put("type", "integer");
        props.putObject("instance").put("type", "string");
        ObjectNode errors = props.putObject("errors");
        errors.put("type", "array");
        ObjectNode item = errors.putObject("items");
        item.put("type", "object");
        item.putObject("properties").putObject("path").put("type", "string");
        ((ObjectNode) item.get("properties")).putObject("message").put("type", "string");

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
                r.requestTypes().forEach(t -> content.putObject(t));
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject(Integer.toString(r.successStatus()));
            ok.put("description", r.successStatus() == 204 ? "Done" : "Success");
            if (r.successStatus() != 204) {
                ObjectNode content = ok.putObject("content");
                r.responseTypes().forEach(t -> content.putObject(t));
            }
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
                    .putObject("schema")
                    .put("$ref", "#/components/schemas/Problem");
        }
        return root;
    }
}
