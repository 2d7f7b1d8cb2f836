package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13, query parameters: every route takes only the parameters it declares (which are the
 * ones /openapi.json lists), each at most once, and a request with bad parameters is answered
 * with every problem at once, before anything is read or changed.
 */
class QueryParametersTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMisspelledFilterIsRefusedInsteadOfListingEveryProfile(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}}
                    """);

            var r = http.get("/v1/profiles?emial=zebulon@example.org", a.adminKey());

            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(paths(r)).containsExactly("emial");
            assertThat(r.json().at("/errors/0/message").asText())
                    .startsWith("unknown parameter (")
                    .contains("email", "phone", "field.{key}", "cursor");
            var next = http.get("/v1/profiles?next=abc", a.adminKey());
            assertThat(next.status()).as(next.toString()).isEqualTo(400);
            assertThat(paths(next)).containsExactly("next");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyRouteRefusesAParameterItDoesNotDeclareBeforeDoingAnything(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            long accounts = lethe.count("select count(*) from accounts");
            long versions = lethe.count("select count(*) from policy_versions");
            long audited = lethe.count("select count(*) from audit_log");
            var document = http.get("/openapi.json", null).json();
            var client = HttpClient.newHttpClient();
            int routes = 0;

            for (var path : document.get("paths").properties()) {
                for (var operation : path.getValue().properties()) {
                    String method = operation.getKey().toUpperCase(Locale.ROOT);
                    String description =
                            operation.getValue().path("description").asText();
                    String key = description.contains("operator") && !description.contains("admin")
                            ? TestLethe.OPERATOR_KEY
                            : a.adminKey();
                    String uri = path.getKey()
                                    .replace("{kind}", "retention")
                                    .replace("{version}", "1")
                                    .replace("{accountId}", a.id())
                                    .replaceAll("\\{[^}]+}", UUID.randomUUID().toString())
                            + "?zzz=1";
                    // a body of the media type the route reads (JSON for most; CSV for an upload):
                    // the parameter is what is at fault, not the body
                    var types = operation.getValue().path("requestBody").path("content");
                    String type = types.isObject() && types.size() > 0
                            ? types.fieldNames().next()
                            : "application/json";
                    String body = type.equals("text/csv") ? "email\nwombat@example.org\n" : "{\"name\": \"Wombat\"}";
                    var request = HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + lethe.lethe().http().port() + uri))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", type)
                            .method(
                                    method,
                                    method.equals("GET") || method.equals("DELETE")
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofString(body));
                    var response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    var r = new Http.Response(
                            response.statusCode(),
                            response.headers().firstValue("Content-Type").orElse(""),
                            response.body());

                    assertThat(r.status()).as(method + " " + uri + ": " + r).isEqualTo(400);
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(paths(r)).as(method + " " + uri).contains("zzz");
                    assertThat(r.json().at("/errors/0/message").asText()).startsWith("unknown parameter");
                    routes++;
                }
            }
            assertThat(routes).isGreaterThan(30);
            assertThat(lethe.count("select count(*) from accounts")).isEqualTo(accounts);
            assertThat(lethe.count("select count(*) from policy_versions")).isEqualTo(versions);
            assertThat(lethe.count("select count(*) from audit_log")).isEqualTo(audited);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aParameterGivenTwiceIsRefusedNamingIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var profiles = http.get("/v1/profiles?limit=1&limit=2&field.tier=a&field.tier=b", a.adminKey());
            var audit = http.get("/v1/audit?action=policy.change&action=key.create", a.adminKey());

            assertThat(profiles.status()).as(profiles.toString()).isEqualTo(400);
            assertThat(paths(profiles)).containsExactly("limit", "field.tier");
            assertThat(profiles.json().at("/errors/0/message").asText()).contains("more than once");
            assertThat(audit.status()).as(audit.toString()).isEqualTo(400);
            assertThat(paths(audit)).containsExactly("action");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyBadParameterOfAProfileListIsNamedAtOnce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var r = http.get(
                    "/v1/profiles?limit=0&lastVisitFrom=x&lastVisitTo=y&lastVisitWithin=y&sort=z&engagement=w"
                            + "&columns=q&field.nope=1&segment=nope&goal=nope&email=not-an-email&cursor=abc&emial=x",
                    a.adminKey());

            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(paths(r))
                    .containsExactlyInAnyOrder(
                            "emial",
                            "limit",
                            "lastVisitFrom",
                            "lastVisitTo",
                            "lastVisitWithin",
                            "sort",
                            "engagement",
                            "columns",
                            "field.nope",
                            "segment",
                            "goal",
                            "email",
                            "cursor");
            assertThat(r.toString()).doesNotContain("not-an-email");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyBadParameterOfTheOtherRoutesIsNamedAtOnce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var audit = http.get("/v1/audit?from=x&to=y&limit=0&after=-1&cursor=abc&bogus=1", a.adminKey());
            var statistics = http.get("/v1/statistics?from=x&to=2026-02-30&bogus=1", a.adminKey());
            var range = http.get("/v1/statistics?from=2026-03-01&to=2026-01-01&bogus=1", a.adminKey());
            var diff = http.get("/v1/policy/diff?from=x&to=0&bogus=1", a.adminKey());
            var missing = http.get("/v1/policy/diff", a.adminKey());
            var notice = http.get("/v1/notices/retention?format=xml&bogus=1", a.adminKey());
            var policy = http.get("/v1/policy?format=xml&bogus=1", a.adminKey());
            var version = http.get("/v1/policy/versions/1?format=xml", a.adminKey());

            for (var r : List.of(audit, statistics, range, diff, missing, notice, policy, version)) {
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
            assertThat(paths(audit)).containsExactlyInAnyOrder("bogus", "from", "to", "limit", "after", "cursor");
            assertThat(paths(statistics)).containsExactlyInAnyOrder("bogus", "from", "to");
            assertThat(paths(range)).containsExactlyInAnyOrder("bogus", "from");
            assertThat(paths(diff)).containsExactlyInAnyOrder("bogus", "from", "to");
            assertThat(paths(missing)).containsExactlyInAnyOrder("from", "to");
            assertThat(paths(notice)).containsExactlyInAnyOrder("bogus", "format");
            assertThat(paths(policy)).containsExactlyInAnyOrder("bogus", "format");
            assertThat(paths(version)).containsExactly("format");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void timesAndDaysFarOutsideTheCalendarAreA400NamingTheParameter(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (String t : List.of("%2B1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z")) {
                expect400(
                        http.get("/v1/profiles?lastVisitFrom=" + t + "&lastVisitTo=" + t, a.adminKey()),
                        "lastVisitFrom",
                        "lastVisitTo");
                expect400(http.get("/v1/audit?from=" + t + "&to=" + t, a.adminKey()), "from", "to");
            }
            for (String day : List.of("%2B999999999-01-01", "-999999999-12-31", "%2B10000-01-01", "0000-12-31")) {
                expect400(http.get("/v1/statistics?from=" + day + "&to=" + day, a.adminKey()), "from", "to");
                expect400(http.get("/v1/statistics?to=" + day, a.adminKey()), "to");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aNulCharacterInAParameterIsA400NamingItNotA500(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            expect400(
                    http.get("/v1/audit?actor=a%00b&action=c%00d&target=e%00f", a.adminKey()),
                    "actor",
                    "action",
                    "target");
            expect400(
                    http.get("/v1/profiles?tag=vip%00&segment=s%00&goal=g%00", a.adminKey()), "tag", "segment", "goal");
            expect400(http.get("/v1/profiles?cursor=%00", a.adminKey()), "cursor");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void oddQueryStringsAreAnsweredWithoutA500(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            expect400(http.get("/v1/profiles?lastVisitWithin=P999999999Y", a.adminKey()), "lastVisitWithin");
            assertThat(raw(lethe, "/v1/profiles?limit=1&&", a.adminKey()))
                    .as("empty pairs are nothing")
                    .startsWith("HTTP/1.1 200");
            assertThat(raw(lethe, "/v1/profiles?=x", a.adminKey())).startsWith("HTTP/1.1 400");
            assertThat(raw(lethe, "/v1/profiles?%00=1", a.adminKey())).startsWith("HTTP/1.1 400");
            // a broken %-escape or bytes that are not UTF-8 never widen a filter to everything
            for (String q :
                    List.of("tag=%ZZ", "tag=%", "%ZZ=1", "%ZZ=%FF", "email=%G1", "tag=%C3%28", "cursor=%C3%28")) {
                assertThat(raw(lethe, "/v1/profiles?" + q, a.adminKey())).as(q).startsWith("HTTP/1.1 400");
            }
            assertThat(raw(lethe, "/v1/profiles?limit=%2B1", a.adminKey())).matches("(?s)HTTP/1.1 (200|400) .*");
        }
    }

    /** A request sent as bytes, so a query string no URI class would build reaches the server. */
    static String raw(TestLethe lethe, String target, String key) throws IOException {
        try (var socket = new java.net.Socket("127.0.0.1", lethe.lethe().http().port())) {
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void expect400(Http.Response r, String... paths) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(paths(r)).as(r.toString()).containsExactlyInAnyOrder(paths);
    }

    static List<String> paths(Http.Response r) {
        var out = new ArrayList<String>();
        r.json().get("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }
}
