package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.testing.TestCli;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An ingest key is made to ship in a web page, so the routes it may call answer CORS for the
 * origins configured with --cors-origins / LETHE_CORS_ORIGINS, and no other route and no other
 * origin gets a CORS header. Real HTTP requests, as a browser sends them.
 */
class CorsTest {

    private static final String SHOP = "https://shop.example";
    private static final String OTHER = "https://evil.example";
    private static final List<String> INGEST_ROUTES = List.of("/v1/identify", "/v1/track", "/v1/messages");

    private final HttpClient client = HttpClient.newHttpClient();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aConfiguredOriginsPreflightOnEachIngestRouteIsAnswered204WithMethodsHeadersAndMaxAge(TestDatabase engine) {
        try (var lethe = new TestLethe(engine, BrowserOrigins.parse(SHOP + ", http://localhost:3000"))) {
            for (String route : INGEST_ROUTES) {
                var r = preflight(lethe, route, SHOP);

                assertThat(r.statusCode()).as(route).isEqualTo(204);
                assertThat(header(r, "Access-Control-Allow-Origin")).as(route).isEqualTo(SHOP);
                assertThat(header(r, "Vary")).as(route).contains("Origin");
                assertThat(header(r, "Access-Control-Allow-Methods")).as(route).isEqualTo("POST");
                assertThat(header(r, "Access-Control-Allow-Headers"))
                        .as(route)
                        .contains("Authorization", "Content-Type");
                assertThat(header(r, "Access-Control-Max-Age")).as(route).isEqualTo("3600");
                assertThat(r.headers().firstValue("Access-Control-Allow-Credentials"))
                        .as(route)
                        .isEmpty();
            }
            assertThat(header(preflight(lethe, "/v1/track", "http://localhost:3000"), "Access-Control-Allow-Origin"))
                    .isEqualTo("http://localhost:3000");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aConfiguredOriginsRequestsCarryTheAllowOriginHeaderOnSuccessAndOnErrors(TestDatabase engine) {
        try (var lethe = new TestLethe(engine, BrowserOrigins.parse(SHOP))) {
            var a = lethe.createAccount("Zebulon Shop");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();

            var accepted = post(lethe, "/v1/track", ingest, SHOP, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);
            var invalid = post(lethe, "/v1/track", ingest, SHOP, "{\"events\": []}");
            var unreadable = post(lethe, "/v1/identify", ingest, SHOP, "{not json");
            var noKey = post(lethe, "/v1/messages", "lethe_nobody_nosuchsecretnosuchsecret", SHOP, "{}");

            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
            assertThat(unreadable.statusCode()).as(unreadable.body()).isEqualTo(400);
            assertThat(noKey.statusCode()).as(noKey.body()).isEqualTo(401);
            for (var r : List.of(accepted, invalid, unreadable, noKey)) {
                assertThat(header(r, "Access-Control-Allow-Origin"))
                        .as(r.body())
                        .isEqualTo(SHOP);
                assertThat(header(r, "Vary")).contains("Origin");
                assertThat(r.headers().firstValue("Access-Control-Allow-Credentials"))
                        .isEmpty();
            }
            assertThat(header(invalid, "Content-Type")).startsWith("application/problem+json");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherOriginGetsNoCorsHeaderAndItsPreflightFindsNoRoute(TestDatabase engine) {
        try (var lethe = new TestLethe(engine, BrowserOrigins.parse(SHOP))) {
            var a = lethe.createAccount("Zebulon Shop");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var preflight = preflight(lethe, "/v1/track", OTHER);
            var lookalike = preflight(lethe, "/v1/track", SHOP + ".evil.example");
            var request = post(lethe, "/v1/track", a.adminKey(), OTHER, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);

            assertThat(preflight.statusCode()).isEqualTo(404);
            assertThat(lookalike.statusCode()).isEqualTo(404);
            assertThat(request.statusCode()).isEqualTo(202);
            for (var r : List.of(preflight, lookalike, request))
                assertThat(corsHeaders(r)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void adminReadAndOperatorRoutesNeverAnswerCorsEvenForAConfiguredOrigin(TestDatabase engine) {
        try (var lethe = new TestLethe(engine, BrowserOrigins.parse(SHOP))) {
            var a = lethe.createAccount("Zebulon Shop");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            for (String route : List.of("/v1/profiles", "/v1/policy", "/v1/accounts", "/v1/keys", "/openapi.json")) {
                var preflight = preflight(lethe, route, SHOP);
                assertThat(preflight.statusCode()).as(route).isIn(404, 405);
                assertThat(corsHeaders(preflight)).as(route).isEmpty();
            }
            var read = send(HttpRequest.newBuilder(uri(lethe, "/v1/policy"))
                    .header("Authorization", "Bearer " + a.adminKey())
                    .header("Origin", SHOP)
                    .GET());
            var create = post(lethe, "/v1/keys", a.adminKey(), SHOP, "{\"scopes\": [\"read\"]}");

            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(create.statusCode()).isEqualTo(201);
            assertThat(corsHeaders(read)).isEmpty();
            assertThat(corsHeaders(create)).isEmpty();
        }
    }

    @Test
    void withoutConfiguredOriginsNoRouteAnswersCors() {
        try (var lethe = new TestLethe(new TestDatabase("h2", "jdbc:h2:mem:"))) {
            var a = lethe.createAccount("Zebulon Shop");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var preflight = preflight(lethe, "/v1/track", SHOP);
            var request = post(lethe, "/v1/track", a.adminKey(), SHOP, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
                    """);

            assertThat(preflight.statusCode()).isEqualTo(404);
            assertThat(request.statusCode()).isEqualTo(202);
            assertThat(corsHeaders(preflight)).isEmpty();
            assertThat(corsHeaders(request)).isEmpty();
        }
    }

    @Test
    void originsAreReadAsBrowsersSendThemAndAnythingElseIsRefused() {
        assertThat(BrowserOrigins.parse(" https://Shop.Example:443 , http://localhost:3000,")
                        .origins())
                .containsExactlyInAnyOrder("https://shop.example", "http://localhost:3000");
        assertThat(BrowserOrigins.parse("").isEmpty()).isTrue();
        assertThat(BrowserOrigins.parse(null).isEmpty()).isTrue();
        for (String bad : List.of(
                "*",
                "https://*.shop.example",
                "https://shop.example/",
                "https://shop.example/path",
                "shop.example",
                "ftp://shop.example",
                "null",
                "https://user@shop.example",
                "https://shop.example?x=1")) {
            assertThatThrownBy(() -> BrowserOrigins.parse("https://ok.example," + bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void serveWithAnOriginThatIsNotOneExitsWith2NamingTheFlagAndTheVariable(@TempDir Path dir) {
        Path dataDir = dir.resolve("data");

        var run = TestCli.lethe(
                "serve", "--cors-origins", "https://shop.example/", "--port", "0", "--data-dir", dataDir.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err())
                .contains("--cors-origins")
                .contains("LETHE_CORS_ORIGINS")
                .contains("https://shop.example/");
        assertThat(Files.exists(dataDir)).as("nothing was started").isFalse();
    }

    private HttpResponse<String> preflight(TestLethe lethe, String path, String origin) {
        return send(HttpRequest.newBuilder(uri(lethe, path))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> post(TestLethe lethe, String path, String key, String origin, String json) {
        return send(HttpRequest.newBuilder(uri(lethe, path))
                .header("Authorization", "Bearer " + key)
                .header("Origin", origin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static URI uri(TestLethe lethe, String path) {
        return URI.create("http://127.0.0.1:" + lethe.lethe().port() + path);
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static Map<String, List<String>> corsHeaders(HttpResponse<?> r) {
        return r.headers().map().entrySet().stream()
                .filter(e -> e.getKey().toLowerCase().startsWith("access-control-"))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
