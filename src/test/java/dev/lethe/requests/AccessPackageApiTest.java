package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access package of a person with data in every record kind: JSON that validates against the
 * schema Lethe serves, CSV files in a zip, readable text; each download audited; the first
 * completes the request; what the person must be told (purpose, basis, source, retention,
 * recipients, who accessed their data) is in it.
 */
class AccessPackageApiTest {

    static final String POLICY = TestPolicies.DATA_CORE
            .replace("  shoe_size:\n", """
                      message_text:
                        purpose: communication
                        lawfulBasis: contract
                        source: api
                        subjects: [profile]
                        retention: { period: P1Y, after: collected }
                      shoe_size:
                    """)
            .replace(
                    "  properties.shoeSize: shoe_size\n",
                    "  properties.shoeSize: shoe_size\n  message.content: message_text\n")
            .replace(
                    "  event: { kind: event, retention: { period: P2Y, after: collected } }\n",
                    "  event: { kind: event, retention: { period: P2Y, after: collected } }\n"
                            + "  message: { kind: message, retention: { period: P1Y, after: collected } }\n")
            .replace("processors: []", """
                    processors:
                      - name: "Example Mail EU"
                        address: "Mailstraat 1, Gent, BE"
                        purpose: "sending email"
                        location: EU
                        measures: "encryption in transit"
                        categories:
                          profile: [email_address]
                    """);

    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPackageHoldsEveryRecordKindWhyItIsHeldAndWhoReadItAndValidatesAgainstTheServedSchema(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var put = http.putYaml("/v1/policy", a.adminKey(), POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            var identified = http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "visitorId": "laptop-1", "traits": {"name": "Zebulon Quirk"}}
                    """);
            String profile = identified.json().get("profileId").asText();
            assertThat(http.post("/v1/goals", a.adminKey(), "{\"name\": \"Signup\", \"eventType\": \"signup\"}")
                            .status())
                    .isEqualTo(201);
            var tracked = http.post("/v1/track", a.adminKey(), """
                    {"events": [
                      {"visitorId": "laptop-1", "type": "page_view", "context": {"url": "https://shop.example/zebulon-page", "ip": "203.0.113.77"}},
                      {"visitorId": "laptop-1", "type": "signup", "properties": {"plan": "zebulon-gold"}}
                    ]}
                    """);
            assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            var sent = http.post("/v1/messages", a.adminKey(), """
                    {"messages": [{"subject": {"email": "zebulon@example.org"}, "subjectType": "profile", "channel": "email",
                                   "direction": "outbound", "content": "Zebulon, your parcel left"}]}
                    """);
            assertThat(sent.json().get("accepted").asInt()).as(sent.toString()).isEqualTo(1);
            assertThat(http.get("/v1/profiles/" + profile, a.adminKey()).status())
                    .isEqualTo(200);
            var policy = http.post("/v1/privacy-policies", a.adminKey(), """
                    {"version": "v1", "url": "https://shop.example/privacy/v1", "publishedAt": "%s"}
                    """.formatted(
                            lethe.clock().instant()));
            assertThat(policy.status()).as(policy.toString()).isEqualTo(201);
            var consent = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"email": "zebulon@example.org"}, "policyVersion": "v1",
                     "purposes": {"targeting": true, "performance": false}, "source": "banner",
                     "proof": {"form": "banner-2026.1", "ip": "198.51.100.23"}}
                    """);
            assertThat(consent.status()).as(consent.toString()).isEqualTo(201);
            var earlier = http.post("/v1/requests", a.adminKey(), """
                    {"type": "rectification", "subject": {"email": "zebulon@example.org"}}
                    """);
            lethe.clock().advance(java.time.Duration.ofMinutes(1));
            var access = http.post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"visitorId": "laptop-1"}}
                    """);
            assertThat(access.json().get("subjectId").asText()).isEqualTo(profile);
            String id = access.json().get("id").asText();

            var download = http.get("/v1/requests/" + id + "/package", a.adminKey());

            assertThat(download.status()).as(download.toString()).isEqualTo(200);
            assertThat(download.contentType()).startsWith("application/json");
            JsonNode pkg = download.json();
            var schema = http.get("/v1/schemas/access-package.json", null);
            assertThat(schema.status()).isEqualTo(200);
            var problems = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(schema.body())
                    .validate(pkg);
            assertThat(problems).as("valid against the served schema").isEmpty();
            assertThat(pkg.get("subject").get("id").asText()).isEqualTo(profile);
            assertThat(texts(pkg.get("identifiers"), "kind")).containsExactlyInAnyOrder("email", "visitorId");
            assertThat(texts(pkg.get("values"), "value")).contains("zebulon@example.org", "Zebulon Quirk");
            var events = pkg.get("events");
            assertThat(events).hasSize(2);
            assertThat(events.toString()).contains("zebulon-gold", "203.0.113.77", "zebulon-page");
            assertThat(texts(pkg.get("messages"), "content")).containsExactly("Zebulon, your parcel left");
            assertThat(pkg.get("sessions")).hasSize(1);
            assertThat(texts(pkg.get("goals"), "name")).containsExactly("Signup");
            var consents = byKey(pkg.get("consents"), "purpose");
            assertThat(consents).containsOnlyKeys("targeting", "performance");
            assertThat(consents.get("targeting").get("granted").asBoolean()).isTrue();
            assertThat(consents.get("performance").get("granted").asBoolean()).isFalse();
            assertThat(consents.get("targeting").get("policyVersion").asText()).isEqualTo("v1");
            assertThat(consents.get("targeting").get("source").asText()).isEqualTo("banner");
            assertThat(consents.get("targeting").get("form").asText()).isEqualTo("banner-2026.1");
            assertThat(consents.get("targeting").get("at").asText()).isNotBlank();
            String ipHash = lethe.strings("select proof_ip_hash from consents").get(0);
            assertThat(pkg.toString())
                    .as("neither the address nor its keyed hash")
                    .doesNotContain("198.51.100.23")
                    .doesNotContain(ipHash);
            assertThat(texts(pkg.get("requests"), "id"))
                    .containsExactly(earlier.json().get("id").asText(), id);
            var email = byKey(pkg.get("categories"), "category").get("email_address");
            assertThat(email.get("purpose").asText()).isEqualTo("identification");
            assertThat(email.get("lawfulBasis").asText()).isEqualTo("contract");
            assertThat(email.get("source").asText()).isEqualTo("user_form");
            assertThat(email.get("retention").asText()).isNotBlank();
            assertThat(email.get("recipients").get(0).asText()).contains("Example Mail EU");
            assertThat(byKey(pkg.get("categories"), "category"))
                    .containsKeys("ip_address", "visit_history", "message_text");
            assertThat(texts(pkg.get("accessLog"), "action"))
                    .contains("profile.identify", "profile.read", "request.package.download");
            assertThat(texts(pkg.get("accessLog"), "role")).contains("admin");

            var done = http.get("/v1/requests/" + id, a.adminKey()).json();
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("outcome").asText()).isEqualTo("delivered");

            var zip = http.download("/v1/requests/" + id + "/package?format=csv", a.adminKey());
            assertThat(zip.status()).isEqualTo(200);
            assertThat(zip.contentType()).isEqualTo("application/zip");
            var files = unzip(zip.body());
            assertThat(files.keySet())
                    .containsExactly(
                            "request.csv",
                            "subject.csv",
                            "identifiers.csv",
                            "values.csv",
                            "sessions.csv",
                            "events.csv",
                            "messages.csv",
                            "goals.csv",
                            "consents.csv",
                            "requests.csv",
                            "categories.csv",
                            "accessLog.csv");
            assertThat(files.get("events.csv"))
                    .startsWith("id,type,occurredAt,receivedAt,sessionId,properties,context\r\n");
            assertThat(files.get("events.csv")).contains("zebulon-gold");
            assertThat(files.get("messages.csv")).contains("\"Zebulon, your parcel left\"");
            assertThat(files.get("consents.csv"))
                    .startsWith("consentId,purpose,granted,at,recordedAt,policyVersion,source,form\r\n")
                    .contains(",targeting,true,", ",performance,false,");

            var text = http.get("/v1/requests/" + id + "/package?format=text", a.adminKey());
            assertThat(text.contentType()).startsWith("text/plain");
            assertThat(text.body()).contains("zebulon@example.org", "Why each kind of data is held", "Example Mail EU");

            assertThat(lethe.strings(
                            "select detail from audit_log where action = 'request.package.download' order by seq"))
                    .hasSize(3)
                    .allMatch(d -> !d.contains("zebulon"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void onlyAnAccessOrPortabilityRequestForAKnownPersonHasAPackage(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), POLICY);
            person(http, a.adminKey(), "zebulon@example.org");
            String nobody = http.post("/v1/requests", a.adminKey(), """
                            {"type": "portability", "subject": {"email": "nobody@example.org"}}
                            """)
                    .json()
                    .get("id")
                    .asText();
            String rectification = RequestsApiTest.request(http, a.adminKey(), "rectification", null);

            assertThat(http.get("/v1/requests/" + nobody + "/package", a.adminKey())
                            .status())
                    .isEqualTo(409);
            assertThat(http.get("/v1/requests/" + rectification + "/package", a.adminKey())
                            .status())
                    .isEqualTo(409);
            var badFormat = http.get("/v1/requests/" + rectification + "/package?format=pdf", a.adminKey());
            assertThat(badFormat.status()).isEqualTo(400);
            assertThat(lethe.count("select count(*) from audit_log where action = 'request.package.download'"))
                    .isZero();
        }
    }

    static List<String> texts(JsonNode list, String key) {
        var out = new ArrayList<String>();
        list.forEach(n -> out.add(n.path(key).asText()));
        return out;
    }

    static Map<String, JsonNode> byKey(JsonNode list, String key) {
        var out = new LinkedHashMap<String, JsonNode>();
        list.forEach(n -> out.put(n.get(key).asText(), n));
        return out;
    }

    static Map<String, String> unzip(byte[] zip) throws IOException {
        var out = new LinkedHashMap<String, String>();
        try (var in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
