package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.testing.SchemaConformance;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document at /openapi.json is the API's contract: it lists exactly the routes the
 * server serves, and says of each what it does, how it fails and whether it needs a key.
 */
class OpenApiTest {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static TestLethe lethe;
    private static JsonNode document;
    private static String documentText;

    @BeforeAll
    static void startLetheAndFetchTheDocument() throws IOException {
        lethe = new TestLethe(new TestDatabase("h2", "jdbc:h2:mem:"));
        var r = lethe.http().get("/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        documentText = r.body();
        document = STRICT.readTree(documentText);
    }

    @AfterAll
    static void stop() {
        if (lethe != null) lethe.close();
    }

    @Test
    void theDocumentIsOpenApi310JsonWithTheBearerScheme() {
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.at("/info/title").asText()).isNotBlank();
        assertThat(document.at("/info/version").asText()).isNotBlank();
        assertThat(document.at("/components/securitySchemes/bearer/scheme").asText())
                .isEqualTo("bearer");
        assertThat(document.path("paths").isObject()).isTrue();
    }

    @Test
    void theDocumentListsExactlyTheRoutesTheServerServes() {
        List<String> served = lethe.lethe().http().servedRoutes();

        assertThat(served).doesNotHaveDuplicates().isNotEmpty();
        assertThat(documentedRoutes()).containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void everyOperationHasASummaryAndADefaultProblemResponse() {
        forEachOperation((route, op) -> {
            assertThat(op.path("summary").asText()).as(route + " summary").isNotBlank();
            assertThat(op.at("/responses/default/content/application~1problem+json/schema/$ref")
                            .asText())
                    .as(route + " default response")
                    .isEqualTo("#/components/schemas/Problem");
        });
        assertThat(document.at("/components/schemas/Problem/required").toString())
                .contains("\"title\"", "\"status\"", "\"errors\"");
        assertThat(document.at("/components/schemas/Problem/properties/errors/type")
                        .asText())
                .isEqualTo("array");
    }

    /** An independent parser reads the document as OpenAPI 3.1 and finds nothing wrong in it. */
    @Test
    void anIndependentParserReadsTheDocumentAsOpenApi31WithoutAProblem() {
        var options = new ParseOptions();
        options.setResolve(true);
        var parsed = new OpenAPIV3Parser().readContents(documentText, null, options);

        assertThat(parsed.getMessages()).as("parser messages").isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getPaths())
                .hasSize(document.path("paths").size());
    }

    /** A client can be generated: every JSON answer and every JSON body has a schema. */
    @Test
    void everyJsonAnswerAndBodyHasASchema() {
        forEachOperation((route, op) -> {
            op.path("responses").properties().forEach(r -> {
                JsonNode json = r.getValue().at("/content/application~1json");
                if (!json.isMissingNode())
                    assertThat(json.path("schema").isObject())
                            .as(route + " answer " + r.getKey())
                            .isTrue();
            });
            JsonNode body = op.at("/requestBody/content/application~1json");
            if (!body.isMissingNode())
                assertThat(body.path("schema").isObject()).as(route + " body").isTrue();
        });
    }

    /**
     * Every JSON answer of every test is checked against its route's schema (see
     * SchemaConformance); this proves the check bites: answers that leave out a field, add one
     * or change a type are refused.
     */
    @Test
    void anAnswerOutsideItsSchemaIsRefusedByTheConformanceCheck() {
        var check = new SchemaConformance();
        check.check(document, "GET", "/health", 200, "{\"status\":\"up\",\"database\":\"up\"}");

        assertThatThrownBy(() -> check.check(document, "GET", "/health", 200, "{\"status\":\"up\"}"))
                .hasMessageContaining("database");
        assertThatThrownBy(() -> check.check(
                        document, "GET", "/health", 200, "{\"status\":\"up\",\"database\":\"up\",\"extra\":1}"))
                .hasMessageContaining("extra");
        assertThatThrownBy(() -> check.check(document, "GET", "/health", 200, "{\"status\":1,\"database\":\"up\"}"))
                .hasMessageContaining("status");
        assertThatThrownBy(() -> check.check(document, "GET", "/health", 201, "{}"))
                .hasMessageContaining("no schema documented");
    }

    @Test
    void everyOperationNeedsABearerKeyUnlessItIsPublic() {
        forEachOperation((route, op) -> {
            if (isPublic(route)) {
                assertThat(op.path("security").isMissingNode()
                                || op.path("security").isEmpty())
                        .as(route + " is public")
                        .isTrue();
            } else {
                assertThat(op.path("security").toString())
                        .as(route + " security")
                        .isEqualTo("[{\"bearer\":[]}]");
            }
        });
    }

    @Test
    void everyPathParameterIsDeclared() {
        forEachOperation((route, op) -> {
            var declared = new TreeSet<String>();
            op.path("parameters").forEach(p -> {
                if ("path".equals(p.path("in").asText()))
                    declared.add(p.path("name").asText());
            });
            var inPath = new TreeSet<String>();
            var m = Pattern.compile("\\{([^}]+)}").matcher(route);
            while (m.find()) inPath.add(m.group(1));
            assertThat(declared).as(route).isEqualTo(inPath);
        });
    }

    @Test
    void pagedListsDocumentTheirCursorAndARepeatableParameterIsAnArray() {
        var profiles = document.at("/paths/~1v1~1profiles/get/parameters").toString();
        var audit = document.at("/paths/~1v1~1audit/get/parameters").toString();
        assertThat(profiles).contains("\"cursor\"", "nextCursor", "\"limit\"");
        assertThat(audit).contains("\"cursor\"", "nextCursor", "\"limit\"");
        assertThat(document.at("/info/description").asText()).contains("nextCursor", "refused");

        var identify = document.at("/paths/~1v1~1identify/post/responses");
        assertThat(identify.at("/409/description").asText()).contains("restricted");
        assertThat(identify.at("/409/content").toString()).contains("problem+json");
        assertThat(identify.has("410")).isTrue();

        var repeatable = OpenApi.document(
                List.of(new RouteDoc(
                        io.javalin.http.HandlerType.GET,
                        "/v1/things",
                        Access.PUBLIC,
                        "Things",
                        List.of(),
                        200,
                        List.of("application/json"),
                        List.of(new RouteDoc.Param("tag", "any number of tags", true)),
                        null,
                        null,
                        Map.of())),
                "test");
        assertThat(repeatable
                        .at("/paths/~1v1~1things/get/parameters/0/schema/type")
                        .asText())
                .isEqualTo("array");
        assertThat(repeatable.at("/paths/~1v1~1things/get/parameters/0/explode").asBoolean())
                .isTrue();
    }

    /** The documentation's security is what the server does: a secured route without a key is 401. */
    @Test
    void everySecuredRouteAnswers401WithoutAKeyAndEveryPublicOneDoesNot() {
        forEachOperation((route, op) -> {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
            int status = send(method, path);
            if (isPublic(route)) assertThat(status).as(route).isNotIn(401, 403);
            else assertThat(status).as(route).isEqualTo(401);
        });
    }

    private static boolean isPublic(String route) {
        String path = route.substring(route.indexOf(' ') + 1);
        return path.equals("/health")
                || path.equals("/metrics")
                || path.equals("/openapi.json")
                || path.equals("/v1/schemas/access-package.json")
                // an export's link: its token is the credential, so it works from an email
                || path.equals("/v1/exports/{id}/file")
                || path.startsWith("/public/")
                // the links in sub-processor notices: their token is the credential
                || path.startsWith("/v1/subprocessor-subscriptions/");
    }

    private static List<String> documentedRoutes() {
        var out = new ArrayList<String>();
        forEachOperation((route, op) -> out.add(route));
        return out;
    }

    private interface OperationCheck {
        void check(String route, JsonNode operation);
    }

    private static void forEachOperation(OperationCheck check) {
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (!HTTP_METHODS.contains(op.getKey())) continue;
                check.check(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
            }
        }
    }

    private static int send(String method, String path) {
        var request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + lethe.lethe().port() + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        method.equals("GET") || method.equals("DELETE")
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        try (var client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
