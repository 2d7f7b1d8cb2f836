package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 9 for request bodies (issue 13): how a body is read before any route looks at it — its
 * media type and charset, its bytes (UTF-8 only), its syntax, duplicate and unknown keys — and
 * that every body reader names every mistake at once. Lists of values under a mapped field are
 * accepted, sealed like the field, and read back as lists.
 */
class HostileBodiesTest {

    /** The policy of the data core, with two list-friendly fields and a typed custom field. */
    private static final String POLICY = TestPolicies.DATA_CORE.replace(
            "  properties.plan: visit_history\n",
            "  properties.plan: visit_history\n  traits.products: visit_history\n  properties.items: visit_history\n");

    private static final String IDENTIFY = """
            {"identifiers": {"email": "zebulon@example.org"}}
            """;
    private static final String TRACK = """
            {"events": [{"visitorId": "laptop-1", "type": "page_view"}]}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aContentTypeThatIsNotUtf8JsonOrYamlIsRefusedWith415NamingWhatIsAccepted(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            assertThat(lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            var refused = new ArrayList<Http.Response>();
            for (String type : new String[] {
                "application/json; charset=bogus",
                "application/json; charset=utf-7",
                "application/json; charset=iso-8859-1",
                "",
                "json",
                "application/json; charset",
                "application/json; charset=\"utf-8",
                "text/plain",
                "application/x-www-form-urlencoded",
                null
            }) {
                refused.add(send(lethe, "POST", "/v1/identify", a.adminKey(), type, IDENTIFY));
                refused.add(send(lethe, "POST", "/v1/track", a.adminKey(), type, TRACK));
            }
            refused.add(send(lethe, "PUT", "/v1/policy", a.adminKey(), "application/yaml; charset=utf-16", POLICY));
            refused.add(send(lethe, "PUT", "/v1/policy", a.adminKey(), "text/plain", POLICY));
            refused.add(send(lethe, "PUT", "/v1/policy", a.adminKey(), "", POLICY));

            assertThat(refused).allSatisfy(r -> {
                assertThat(r.status()).as(r.toString()).isEqualTo(415);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().at("/errors/0/path").asText()).isEqualTo("Content-Type");
                assertThat(r.json().at("/errors/0/message").asText()).contains("application/json", "utf-8");
            });
            assertThat(refused.get(refused.size() - 1)
                            .json()
                            .at("/errors/0/message")
                            .asText())
                    .contains("application/yaml");
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.policyVersions(a.adminKey())).hasSize(1);

            // UTF-8 named in any spelling, or no charset at all, is read
            for (String type : new String[] {
                "application/json", "application/json;charset=UTF-8", "Application/JSON; Charset=\"utf-8\""
            }) {
                var r = send(lethe, "POST", "/v1/identify", a.adminKey(), type, IDENTIFY);
                assertThat(r.status()).as(type + ": " + r).isIn(200, 201);
            }
            for (String type : new String[] {"application/yaml; charset=utf-8", "application/x-yaml", "text/yaml"}) {
                var r = send(lethe, "PUT", "/v1/policy", a.adminKey(), type, POLICY);
                assertThat(r.status()).as(type + ": " + r).isEqualTo(201);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyRouteThatTakesABodyRefusesAMediaTypeItDoesNotAccept(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var routes = lethe.http().get("/openapi.json", null).json().get("paths");
            var checked = new ArrayList<String>();
            routes.properties()
                    .forEach(path -> path.getValue().properties().forEach(op -> {
                        if (!op.getValue().has("requestBody")) return;
                        String method = op.getKey().toUpperCase();
                        String url = path.getKey()
                                .replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
                        var r = send(lethe, method, url, a.adminKey(), "text/plain", "{}");
                        if (r.status() == 403) r = send(lethe, method, url, TestLethe.OPERATOR_KEY, "text/plain", "{}");
                        assertThat(r.status())
                                .as(method + " " + path.getKey() + ": " + r)
                                .isEqualTo(415);
                        assertThat(r.json().at("/errors/0/path").asText()).isEqualTo("Content-Type");
                        checked.add(method + " " + path.getKey());
                    }));
            assertThat(checked).contains("POST /v1/identify", "PUT /v1/policy", "POST /v1/profiles/{id}/tags");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void bytesThatAreNotUtf8AreRefusedNamingTheirOffsetAndNothingIsStored(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            assertThat(lethe.http().putYaml("/v1/policy", a.adminKey(), POLICY).status())
                    .isEqualTo(201);
            String before = "{\"identifiers\": {\"email\": \"zebulon@example.org\"}, \"traits\": {\"name\": \"Zeb";
            byte[] identify = bytes(before, new byte[] {(byte) 0xC3, (byte) 0x28}, "ulon\"}}");
            byte[] track = bytes(
                    "{\"events\": [{\"visitorId\": \"laptop-1\", \"type\": \"page_view\", \"properties\": {\"plan\": \"",
                    new byte[] {(byte) 0xFF},
                    "\"}}]}");
            byte[] policy = bytes(POLICY.replace("Quokka Shop BV", "Quokka Sh"), new byte[] {(byte) 0xE9}, "");

            var identified = send(lethe, "POST", "/v1/identify", a.adminKey(), "application/json", identify);
            var tracked = send(lethe, "POST", "/v1/track", a.adminKey(), "application/json", track);
            var put = send(lethe, "PUT", "/v1/policy", a.adminKey(), "application/yaml", policy);

            for (var r : List.of(identified, tracked, put)) {
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().at("/errors/0/message").asText()).contains("UTF-8");
            }
            assertThat(identified.json().at("/errors/0/message").asText())
                    .contains("offset " + before.getBytes(StandardCharsets.UTF_8).length);
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.policyVersions(a.adminKey())).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aKeyGivenTwiceIsRefusedNamingEveryDuplicate(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);

            var r = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org", "email": "yolanda@example.org"},
                     "traits": {"name": "Zebulon"}, "traits": {"name": "Yolanda"}}
                    """);
            var events = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "type": "signup"}]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(paths(r.json())).containsExactlyInAnyOrder("identifiers.email", "traits");
            assertThat(r.body()).doesNotContain("zebulon", "yolanda", "Zebulon", "Yolanda");
            assertThat(events.status()).as(events.toString()).isEqualTo(400);
            assertThat(paths(events.json())).containsExactly("events[0].type");
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBodyThatIsNotJsonIsToldWhereAndWhatWasExpectedWithoutEchoingIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);

            var bareWord = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": zebulon@example.org}}""");
            var unclosed = http.post("/v1/identify", a.adminKey(), """
                    {"traits": {"name": "Zebulon\"""");
            var noComma = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"
                      "phone": "+32471234567"}}""");
            var twoDocuments = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {}} {"zebulon": 1}""");

            for (var r : List.of(bareWord, unclosed, noComma, twoDocuments)) {
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.body())
                        .as(r.toString())
                        .contains("line ", "column ")
                        .doesNotContain("zebulon", "Zebulon", "+3247", "REDACTED", "StreamReadFeature", "Source:")
                        .doesNotContain("JsonToken", "START_OBJECT", "code 122");
            }
            assertThat(paths(bareWord.json())).containsExactly("identifiers.email");
            assertThat(message(bareWord)).contains("line 1, column 27").contains("expected a value");
            assertThat(paths(unclosed.json())).containsExactly("traits.name");
            assertThat(message(unclosed)).contains("ends");
            assertThat(paths(noComma.json())).containsExactly("identifiers.email");
            assertThat(message(noComma)).contains("line 2").contains("expected ',' or '}'");
            assertThat(paths(twoDocuments.json())).containsExactly("");
            assertThat(message(twoDocuments)).contains("one JSON object").contains("line 1, column 21");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anUnknownKeyIsRefusedWithItsPathOnEveryRouteAndChangesNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            String profile = http.post("/v1/identify", a.adminKey(), IDENTIFY)
                    .json()
                    .get("profileId")
                    .asText();
            String other = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "yolanda@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            long audited = lethe.verifyAudit(a.adminKey()).get("entries").asLong();
            String op = TestLethe.OPERATOR_KEY;
            String admin = a.adminKey();

            Map<String, Http.Response> responses = new java.util.LinkedHashMap<>();
            responses.put("ad", http.post("/v1/profiles/" + profile + "/tags", admin, "{\"ad\": [\"vip\"]}"));
            responses.put(
                    "into", http.post("/v1/profiles/" + profile + "/merge", admin, """
                    {"from": "%s", "into": "%s"}""".formatted(other, profile)));
            responses.put("nme", http.post("/v1/accounts", op, "{\"name\": \"Wombat\", \"nme\": 1}"));
            responses.put("endsAt", http.post("/v1/accounts/" + a.id() + "/contract", op, """
                    {"endedAt": "2026-01-01T00:00:00Z", "endsAt": 1}"""));
            responses.put("period", http.post("/v1/accounts/" + a.id() + "/retention-extensions", op, """
                    {"target": "email_address", "maxPeriod": "P5Y", "reason": "audit", "period": "P6Y"}"""));
            responses.put("labl", http.post("/v1/keys", admin, "{\"scopes\": [\"read\"], \"labl\": \"x\"}"));
            responses.put("matches", http.post("/v1/goals", admin, """
                    {"name": "Signed up", "eventType": "signup", "matches": {"plan": "gold"}}"""));
            responses.put("filtr", http.post("/v1/segments", admin, "{\"name\": \"All\", \"filtr\": {}}"));
            responses.put("kind", http.post("/v1/fields", admin, """
                    {"key": "tier", "category": "visit_history", "kind": "text"}"""));
            responses.put("published", http.put("/v1/notices/publication", admin, """
                    {"public": true, "published": true}""", "application/json"));
            responses.put("identifiers.fax", http.post("/v1/identify", admin, """
                    {"identifiers": {"email": "zebulon@example.org", "fax": "+3225551234"}}"""));
            responses.put("trait", http.post("/v1/identify", admin, """
                    {"identifiers": {"email": "zebulon@example.org"}, "trait": {"name": "Zebulon"}}"""));

            responses.forEach((path, r) -> {
                assertThat(r.status()).as(path + ": " + r).isEqualTo(422);
                assertThat(paths(r.json())).as(path + ": " + r).contains(path);
            });
            assertThat(lethe.verifyAudit(a.adminKey()).get("entries").asLong())
                    .as("a refused body is not audited as a change")
                    .isEqualTo(audited);
            assertThat(http.get("/v1/profiles/" + profile, admin).json().get("tags"))
                    .isEmpty();
            assertThat(lethe.keys(admin)).hasSize(1);
            assertThat(http.get("/v1/goals", admin).json().get("goals")).isEmpty();
            assertThat(http.get("/v1/segments", admin).json().get("segments")).isEmpty();
            assertThat(lethe.policyVersions(admin)).hasSize(1);

            var tracked = http.post("/v1/track", admin, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "context": {"ip": "203.0.113.7"},
                                 "propertis": {"plan": "gold"}}],
                     "batch": 1}""");
            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(422);
            assertThat(paths(tracked.json())).containsExactly("batch");
            var oneEvent = http.post("/v1/track", admin, """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view", "propertis": {"plan": "gold"}}]}""");
            assertThat(rejectedPaths(oneEvent)).containsExactly("events[0].propertis");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyBodyReaderNamesEveryMistakeAtOnce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            String admin = a.adminKey();
            String profile = http.post("/v1/identify", admin, IDENTIFY)
                    .json()
                    .get("profileId")
                    .asText();

            var identify = http.post("/v1/identify", admin, """
                    {"visitorId": 42, "ts": "yesterday", "subjectType": ["profile"],
                     "identifiers": {"email": "zebulon@example.org", "fax": "+3225551234"},
                     "traits": {"name": {"first": "Zebulon"}}}""");
            assertThat(identify.status()).as(identify.toString()).isEqualTo(422);
            assertThat(paths(identify.json()))
                    .containsExactlyInAnyOrder("visitorId", "ts", "subjectType", "identifiers.fax", "traits.name");

            // what the reader refuses and what the checks against the policy refuse, in one answer
            var identifyAndCheck = http.post("/v1/identify", admin, """
                    {"visitorId": 42, "identifiers": {"email": "not-an-email"}, "traits": {"shoe": "44"}}""");
            assertThat(identifyAndCheck.status())
                    .as(identifyAndCheck.toString())
                    .isEqualTo(422);
            assertThat(paths(identifyAndCheck.json()))
                    .containsExactlyInAnyOrder("visitorId", "identifiers.email", "traits.shoe");
            var trackAndCheck = http.post("/v1/track", admin, """
                    {"events": [{"visitorId": 42, "type": "zebulon@example.org", "properties": {"colour": "red"}}]}""");
            assertThat(rejectedPaths(trackAndCheck))
                    .containsExactlyInAnyOrder("events[0].visitorId", "events[0].type", "events[0].properties.colour");

            var track = http.post("/v1/track", admin, """
                    {"events": [{"visitorId": 42, "sessionId": 7, "type": ["page_view"], "ts": "soon",
                                 "properties": {"plan": {"name": "gold"}}, "context": {"ip": 1, "fax": "x"}}]}""");
            assertThat(rejectedPaths(track))
                    .containsExactlyInAnyOrder(
                            "events[0].visitorId",
                            "events[0].sessionId",
                            "events[0].type",
                            "events[0].ts",
                            "events[0].properties.plan",
                            "events[0].context.fax");

            var messages = http.post("/v1/messages", admin, """
                    {"messages": [{"subject": {"email": 5, "fax": "x"}, "channel": 3, "direction": "sideways",
                                   "ts": "later", "content": {"text": "hi"}, "attachments": "a.pdf",
                                   "traffic": {"from": "+3247", "via": "x"}, "colour": "blue"}]}""");
            assertThat(rejectedPaths(messages))
                    .contains(
                            "messages[0].subject.email",
                            "messages[0].subject.fax",
                            "messages[0].channel",
                            "messages[0].ts",
                            "messages[0].content",
                            "messages[0].attachments",
                            "messages[0].traffic.via",
                            "messages[0].colour");

            var merge = http.post("/v1/profiles/" + profile + "/merge", admin, "{\"from\": 5, \"with\": 1}");
            assertThat(paths(merge.json())).containsExactlyInAnyOrder("from", "with");

            var tags = http.post(
                    "/v1/profiles/" + profile + "/tags", admin, "{\"add\": \"vip\", \"remove\": [1], \"x\": 1}");
            assertThat(paths(tags.json())).containsExactlyInAnyOrder("add", "remove[0]", "x");

            var account = http.post("/v1/accounts", TestLethe.OPERATOR_KEY, "{\"name\": 5, \"x\": 1}");
            assertThat(paths(account.json())).containsExactlyInAnyOrder("name", "x");

            var key = http.post("/v1/keys", admin, "{\"scopes\": \"read\", \"label\": 5, \"x\": 1}");
            assertThat(paths(key.json())).containsExactlyInAnyOrder("scopes", "label", "x");

            for (var r : List.of(identify, merge, tags, account, key))
                assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aListOfValuesUnderAMappedFieldIsSealedLikeTheFieldAndReadBackAsAList(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);

            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "laptop-1", "identifiers": {"email": "zebulon@example.org"},
                     "traits": {"products": ["zebra boots", "quokka hats", 42, true], "name": "Zebulon"}}""");
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "Order Completed",
                                 "properties": {"items": ["zebra socks", "quokka gloves"]}}]}""");
            var nested = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "yolanda@example.org"},
                     "traits": {"products": ["boots", {"name": "hats"}, ["socks"], null]}}""");
            var unmapped = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "yolanda@example.org"}, "traits": {"colours": ["red"]}}""");

            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            assertThat(tracked.json().get("accepted").asInt())
                    .as(tracked.toString())
                    .isEqualTo(1);
            assertThat(nested.status()).as(nested.toString()).isEqualTo(422);
            assertThat(paths(nested.json()))
                    .containsExactlyInAnyOrder("traits.products[1]", "traits.products[2]", "traits.products[3]");
            assertThat(paths(unmapped.json())).containsExactly("traits.colours");
            var field = http.post("/v1/fields", a.adminKey(), """
                    {"key": "tier", "category": "visit_history", "type": "text"}""");
            assertThat(field.status()).as(field.toString()).isEqualTo(201);
            var listForACustomField = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "yolanda@example.org"}, "traits": {"tier": ["gold", "silver"]}}""");
            assertThat(listForACustomField.status()).isEqualTo(422);
            assertThat(paths(listForACustomField.json())).containsExactly("traits.tier");
            assertThat(message(listForACustomField)).contains("not a list");

            String profileId = identified.json().get("profileId").asText();
            JsonNode profile =
                    http.get("/v1/profiles/" + profileId, a.adminKey()).json();
            assertThat(profile.at("/traits/products").isArray())
                    .as(profile.toString())
                    .isTrue();
            assertThat(StreamSupport.stream(profile.at("/traits/products").spliterator(), false)
                            .map(JsonNode::asText))
                    .containsExactly("zebra boots", "quokka hats", "42", "true");
            assertThat(profile.at("/traits/name").asText()).isEqualTo("Zebulon");
            // one sealed value per field, under the field's category, never in the clear
            assertThat(lethe.strings(
                            "select category from personal_values where account_id = ? and field = ?",
                            a.id(),
                            "traits.products"))
                    .containsExactly("visit_history");
            assertThat(lethe.strings(
                            "select category from personal_values where account_id = ? and field = ?",
                            a.id(),
                            "properties.items"))
                    .containsExactly("visit_history");
            var cells = RawStorage.cells(lethe.jdbcUrl());
            for (String needle : List.of("zebra", "quokka hats", "quokka gloves")) {
                assertThat(cells)
                        .as(needle)
                        .noneMatch(c -> c.text().toLowerCase().contains(needle));
            }
        }
    }

    // -- helpers

    private static String message(Http.Response r) {
        return r.json().at("/errors/0/message").asText();
    }

    private static List<String> paths(JsonNode problem) {
        var out = new ArrayList<String>();
        problem.path("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }

    private static List<String> rejectedPaths(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        var out = new ArrayList<String>();
        r.json().get("rejected").forEach(x -> out.addAll(paths(x)));
        return out;
    }

    private static byte[] bytes(String before, byte[] raw, String after) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static Http.Response send(
            TestLethe lethe, String method, String path, String key, String contentType, String body) {
        return send(lethe, method, path, key, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A request with exactly this Content-Type (none when null) and these bytes. */
    private static Http.Response send(
            TestLethe lethe, String method, String path, String key, String contentType, byte[] body) {
        var request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + lethe.lethe().port() + path))
                .header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) request.header("Content-Type", contentType);
        try (var client = HttpClient.newHttpClient()) {
            var r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Response(
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
