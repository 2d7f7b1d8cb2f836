package dev.lethe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.lethe.http.ResponseCheck;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Checks every JSON answer a test receives against the schema the served OpenAPI document gives
 * for its route and status (every server the tests start is given one through its settings). An
 * answer that does not match becomes a 500, so the test that received it fails.
 */
public final class SchemaConformance implements ResponseCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    /**
     * The schemas compiled so far, per document: every server of a run serves the same document,
     * so each answer's schema is compiled once for the run rather than once per server.
     */
    private static final Map<JsonNode, Map<String, JsonSchema>> COMPILED = new ConcurrentHashMap<>();

    /** The document this check last saw and its schemas (a server serves one document). */
    private volatile Seen seen;

    private record Seen(JsonNode document, Map<String, JsonSchema> schemas) {}

    @Override
    public void check(JsonNode document, String method, String path, int status, String body) {
        Seen last = seen;
        if (last == null || last.document() != document) {
            last = new Seen(document, COMPILED.computeIfAbsent(document, d -> new ConcurrentHashMap<>()));
            seen = last;
        }
        JsonSchema schema = last.schemas()
                .computeIfAbsent(method + " " + path + " " + status, k -> compile(document, method, path, status));
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " answered something that is not JSON");
        }
        var problems = schema.validate(answer);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(method + " " + path + " " + status
                    + " answered outside its documented schema: "
                    + problems.stream().map(ValidationMessage::getMessage).collect(Collectors.joining("; ")));
        }
    }

    /** The schema documented for one answer, with the document's components beside it for its $refs. */
    static JsonSchema compile(JsonNode document, String method, String path, int status) {
        JsonNode schema = document.path("paths")
                .path(path)
                .path(method.toLowerCase(Locale.ROOT))
                .path("responses")
                .path(Integer.toString(status))
                .path("content")
                .path("application/json")
                .path("schema");
        if (!schema.isObject())
            throw new IllegalStateException(
                    method + " " + path + " answered " + status + " with no schema documented for it");
        ObjectNode root = ((ObjectNode) schema).deepCopy();
        root.set("components", document.path("components").deepCopy());
        return FACTORY.getSchema(root);
    }
}
