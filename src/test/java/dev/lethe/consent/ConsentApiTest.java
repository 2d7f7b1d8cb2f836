package dev.lethe.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The consent ledger over HTTP (DESIGN promise 8): a value of a consent-based category sent before
 * consent is not stored, after consent it is, after withdrawal new ones are not and the next sweep
 * removes what was stored (its preview agreeing); Sec-GPC: 1 drops targeting data and is recorded
 * as an objection; a minor's consent-based data is not stored; a policy version requiring
 * re-consent makes earlier consents not current; receipts, history, bad input and tenants.
 */
class ConsentApiTest {

    /** The data core's policy with interests held on consent for targeting, and a birth date and country. */
    static final String POLICY = TestPolicies.DATA_CORE
            .replace("\nsubjects:\n", "\nconsentAge: { default: 16, byCountry: { BE: 13 } }\nsubjects:\n")
            .replace("\nfields:\n", """

                      interests:
                        purpose: targeting
                        lawfulBasis: consent
                        source: tracking
                        required: false
                        subjects: [visitor, profile]
                        retention: { period: P1Y, after: collected }
                      birth_date:
                        purpose: identification
                        lawfulBasis: contract
                        source: user_form
                        required: false
                        subjects: [profile]
                        retention: { period: P3Y, after: collected }
                      country:
                        purpose: segmentation
                        lawfulBasis: contract
                        source: user_form
                        required: false
                        subjects: [profile]
                        retention: { period: P3Y, after: collected }
                    fields:
                      properties.interest: interests
                      traits.interest: interests
                      traits.birthDate: birth_date
                      traits.country: country
                    """);

    static final String INTEREST = "Zebra-knitting";
    static final String IP = "203.0.113.97";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void consentGatesStorageAndAWithdrawalIsSweptAway(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());

            // before consent: the interest is dropped and counted
            var first = http.post("/v1/identify", a.adminKey(), identify("v-1", INTEREST));
            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            assertThat(first.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            String profile = first.json().get("profileId").asText();
            assertThat(interests(lethe)).isZero();

            var given = consent(http, a.adminKey(), "{\"email\": \"zebulon@example.org\"}", true);
            assertThat(given.status()).as(given.toString()).isEqualTo(201);
            assertThat(given.json().get("profileId").asText()).isEqualTo(profile);
            assertThat(given.json().get("proof").get("ipHash").asText())
                    .hasSize(64)
                    .doesNotContain(IP);

            // after consent: stored
            var tracked = http.post("/v1/track", a.adminKey(), track("v-1", INTEREST));
            assertThat(tracked.json().get("consent").get("dropped").asInt())
                    .as(tracked.toString())
                    .isZero();
            assertThat(interests(lethe)).isEqualTo(1);
            var view = http.get("/v1/profiles/" + profile, a.adminKey()).json();
            var targeting = view.get("consents").get("targeting");
            assertThat(targeting.get("granted").asBoolean()).isTrue();
            assertThat(targeting.get("current").asBoolean()).isTrue();
            assertThat(targeting.get("policyVersion").asText()).isEqualTo("v1");
            assertThat(targeting.get("source").asText()).isEqualTo("banner");
            assertThat(view.get("minor").asBoolean()).isFalse();

            // withdrawn: new data is not stored, and the next sweep removes what was
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            assertThat(consent(http, a.adminKey(), "{\"profileId\": \"" + profile + "\"}", false)
                            .status())
                    .isEqualTo(201);
            var after = http.post("/v1/track", a.adminKey(), track("v-1", INTEREST));
            assertThat(after.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(interests(lethe)).isEqualTo(1);
            var preview = http.post("/v1/sweeps", a.adminKey(), "{\"dryRun\": true}");
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(interests(lethe)).as("a preview changes nothing").isEqualTo(1);
            var sweep = http.post("/v1/sweeps", a.adminKey(), "{}");
            assertThat(sweep.status()).as(sweep.toString()).isEqualTo(200);
            assertThat(rule(preview.json(), "consent.targeting").get("affected").asLong())
                    .isEqualTo(1);
            assertThat(withoutTimes(preview.json())).isEqualTo(withoutTimes(sweep.json()));
            assertThat(interests(lethe)).isZero();
            assertThat(lethe.count("select count(*) from personal_values where category = 'email_address'"))
                    .as("what is not consent-based stays")
                    .isEqualTo(1);

            // history kept, receipts with the required fields, nothing in the clear
            var history = http.get("/v1/profiles/" + profile + "/consents", a.adminKey());
            assertThat(history.json().get("consents")).hasSize(2);
            String consentId = given.json().get("consentId").asText();
            var receipt = http.get("/v1/consents/" + consentId + "/receipt", a.adminKey());
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
            var r = receipt.json();
            for (String field : List.of(
                    "version",
                    "jurisdiction",
                    "consentTimestamp",
                    "collectionMethod",
                    "consentReceiptID",
                    "piiPrincipalId",
                    "piiControllers",
                    "policyUrl",
                    "services")) assertThat(r.has(field)).as(field).isTrue();
            assertThat(r.get("consentReceiptID").asText()).isEqualTo(consentId);
            assertThat(r.get("piiPrincipalId").asText()).isEqualTo(profile);
            assertThat(r.get("piiControllers").get(0).get("piiController").asText())
                    .isEqualTo("Quokka Shop BV");
            assertThat(r.get("policyUrl").asText()).isEqualTo("https://quokka.example/privacy/v1");
            JsonNode purpose = null;
            for (var p : r.get("services").get(0).get("purposes"))
                if (p.get("purpose").asText().equals("targeting")) purpose = p;
            assertThat(purpose).as(r.toString()).isNotNull();
            assertThat(purpose.get("purpose").asText()).isEqualTo("targeting");
            assertThat(purpose.get("consentType").asText()).isEqualTo("EXPLICIT");
            assertThat(purpose.get("piiCategory").get(0).asText()).isEqualTo("interests");
            assertThat(purpose.has("termination")).isTrue();
            assertThat(RawStorage.cells(lethe.jdbcUrl()).stream()
                            .filter(c -> c.text().contains(IP) || c.text().contains(INTEREST))
                            .toList())
                    .isEmpty();
            assertThat(lethe.strings("select detail from audit_log").toString())
                    .contains("targeting")
                    .doesNotContain(IP)
                    .doesNotContain(INTEREST);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void globalPrivacyControlDropsTargetingAndIsRecordedAsAnObjection(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            String profile = http.post("/v1/identify", a.adminKey(), identify("v-2", null))
                    .json()
                    .get("profileId")
                    .asText();
            consent(http, a.adminKey(), "{\"profileId\": \"" + profile + "\"}", true);
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));

            var gpc = http.post("/v1/track", a.adminKey(), track("v-2", INTEREST), "Sec-GPC", "1");
            assertThat(gpc.status()).as(gpc.toString()).isEqualTo(202);
            assertThat(gpc.json().get("consent").get("gpc").asBoolean()).isTrue();
            assertThat(gpc.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(interests(lethe)).isZero();
            var history = http.get("/v1/profiles/" + profile + "/consents", a.adminKey())
                    .json()
                    .get("consents");
            assertThat(history).hasSize(2);
            assertThat(history.get(1).get("source").asText()).isEqualTo("gpc");
            assertThat(history.get(1).get("purposes").get("targeting").asBoolean())
                    .isFalse();
            // the objection holds without the header too, and is recorded once
            var later = http.post("/v1/track", a.adminKey(), track("v-2", INTEREST));
            assertThat(later.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            http.post("/v1/track", a.adminKey(), track("v-2", INTEREST), "Sec-GPC", "1");
            assertThat(lethe.count("select count(*) from consents where source = 'gpc'"))
                    .isEqualTo(1);
            assertThat(interests(lethe)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMinorsConsentBasedDataIsNotStoredAndANewVersionCanRequireReconsent(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            setUp(http, a.adminKey());
            var today = java.time.LocalDate.ofInstant(lethe.clock().instant(), java.time.ZoneOffset.UTC);
            // 14 in Belgium (digital age 13 under this policy) is an adult; 14 by the default (16) is not
            var child = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "kid-1", "identifiers": {"email": "yolanda@example.org"},
                     "traits": {"birthDate": "%s", "country": "NL"}}
                    """.formatted(today.minusYears(14)));
            assertThat(child.status()).as(child.toString()).isEqualTo(201);
            String kid = child.json().get("profileId").asText();
            assertThat(child.json().get("consent").get("minors").asInt()).isEqualTo(1);
            var c = consent(http, a.adminKey(), "{\"profileId\": \"" + kid + "\"}", true);
            assertThat(c.status()).as(c.toString()).isEqualTo(201);
            assertThat(c.json().get("minor").asBoolean()).isTrue();
            var tracked = http.post("/v1/track", a.adminKey(), track("kid-1", INTEREST));
            assertThat(tracked.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(tracked.json().get("consent").get("minors").asInt()).isEqualTo(1);
            assertThat(interests(lethe)).isZero();
            var view = http.get("/v1/profiles/" + kid, a.adminKey()).json();
            assertThat(view.get("minor").asBoolean()).isTrue();
            assertThat(view.get("consents").get("targeting").get("current").asBoolean())
                    .isFalse();

            var teen = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "teen-1", "identifiers": {"email": "xavier@example.org"},
                     "traits": {"birthDate": "%s", "country": "BE"}}
                    """.formatted(today.minusYears(14)));
            String adult = teen.json().get("profileId").asText();
            assertThat(teen.json().get("consent").get("minors").asInt()).isZero();
            consent(http, a.adminKey(), "{\"profileId\": \"" + adult + "\"}", true);
            assertThat(http.post("/v1/track", a.adminKey(), track("teen-1", INTEREST))
                            .json()
                            .get("consent")
                            .get("dropped")
                            .asInt())
                    .isZero();
            assertThat(interests(lethe)).isEqualTo(1);

            // a material version requiring re-consent: the consent under v1 stops being current
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofDays(1)));
            var v2 = http.post("/v1/privacy-policies", a.adminKey(), """
                    {"version": "v2", "url": "https://quokka.example/privacy/v2",
                     "publishedAt": "%s", "material": true, "requiresReconsent": true}
                    """.formatted(
                            lethe.clock().instant()));
            assertThat(v2.status()).as(v2.toString()).isEqualTo(201);
            assertThat(v2.json().get("affected").asInt())
                    .as("both people with a grant under v1, the minor's included")
                    .isEqualTo(2);
            assertThat(http.post("/v1/track", a.adminKey(), track("teen-1", INTEREST))
                            .json()
                            .get("consent")
                            .get("dropped")
                            .asInt())
                    .isEqualTo(1);
            assertThat(http.get("/v1/profiles/" + adult, a.adminKey())
                            .json()
                            .get("consents")
                            .get("targeting")
                            .get("current")
                            .asBoolean())
                    .isFalse();
            var swept = http.post("/v1/sweeps", a.adminKey(), "{}").json();
            assertThat(rule(swept, "consent.targeting").get("affected").asLong())
                    .isEqualTo(1);
            assertThat(interests(lethe)).isZero();
            assertThat(http.get("/v1/privacy-policies", a.adminKey()).json().get("policies"))
                    .hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void badInputIsRefusedWithPathsAndTenantsAreApart(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            setUp(http, a.adminKey());
            setUp(http, b.adminKey());
            String profile = http.post("/v1/identify", a.adminKey(), identify("v-3", null))
                    .json()
                    .get("profileId")
                    .asText();

            var bad = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"email": "not-an-email"}, "policyVersion": "v1",
                     "purposes": {"targeting": "yes", "astrology": true}, "proof": {"ip": "zebulon"},
                     "ts": "2999-01-01T00:00:00Z"}
                    """);
            assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
            assertThat(paths(bad.json()))
                    .contains("subject.email", "purposes.targeting", "purposes.astrology", "source", "proof.ip", "ts");
            assertThat(bad.body()).doesNotContain("not-an-email").doesNotContain("zebulon");
            // a source or form is a label, not free text: a person's name does not fit in one
            var named = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"profileId": "%s"}, "policyVersion": "v1", "purposes": {"targeting": true},
                     "source": "Zebulon Quux", "proof": {"form": "Zebulon Quux"}}
                    """.formatted(profile));
            assertThat(named.status()).as(named.toString()).isEqualTo(422);
            assertThat(paths(named.json())).contains("source", "proof.form");
            assertThat(named.body()).doesNotContain("Zebulon");
            var unknownVersion =
                    consentBody("{\"profileId\": \"" + profile + "\"}", true).replace("\"v1\"", "\"v9\"");
            var v9 = http.post("/v1/consents", a.adminKey(), unknownVersion);
            assertThat(v9.status()).isEqualTo(422);
            assertThat(paths(v9.json())).contains("policyVersion");
            var badPolicy =
                    http.post("/v1/privacy-policies", a.adminKey(), "{\"version\": \"\", \"url\": \"ftp://x\"}");
            assertThat(badPolicy.status()).isEqualTo(422);
            assertThat(paths(badPolicy.json())).contains("version", "url", "publishedAt");
            assertThat(lethe.count("select count(*) from consents")).isZero();

            // an ingest key names the person by visitor id only
            var ingest = lethe.createKey(a.adminKey(), "ingest").key();
            var byEmail = consent(http, ingest, "{\"email\": \"zebulon@example.org\"}", true);
            assertThat(byEmail.status()).isEqualTo(422);
            var byVisitor = consent(http, ingest, "{\"visitorId\": \"new-device\"}", true);
            assertThat(byVisitor.status()).as(byVisitor.toString()).isEqualTo(201);
            assertThat(byVisitor.json().get("profileId").isNull()).isTrue();

            // another account sees nothing of this one
            String consentId = consent(http, a.adminKey(), "{\"profileId\": \"" + profile + "\"}", true)
                    .json()
                    .get("consentId")
                    .asText();
            assertThat(http.get("/v1/consents/" + consentId + "/receipt", b.adminKey())
                            .status())
                    .isEqualTo(404);
            assertThat(http.get("/v1/profiles/" + profile + "/consents", b.adminKey())
                            .status())
                    .isEqualTo(404);
            var foreign = consent(http, b.adminKey(), "{\"profileId\": \"" + profile + "\"}", true);
            assertThat(foreign.status()).isEqualTo(422);
            assertThat(paths(foreign.json())).contains("subject.profileId");
        }
    }

    static void setUp(Http http, String admin) {
        var put = http.putYaml("/v1/policy", admin, POLICY);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        var v1 = http.post("/v1/privacy-policies", admin, """
                {"version": "v1", "url": "https://quokka.example/privacy/v1", "publishedAt": "2020-01-01T00:00:00Z"}
                """);
        assertThat(v1.status()).as(v1.toString()).isEqualTo(201);
    }

    static String identify(String visitor, String interest) {
        return """
                {"visitorId": "%s", "identifiers": {"email": "zebulon@example.org"}%s}
                """.formatted(visitor, interest == null ? "" : ", \"traits\": {\"interest\": \"" + interest + "\"}");
    }

    static String track(String visitor, String interest) {
        return """
                {"events": [{"visitorId": "%s", "type": "page_view", "properties": {"interest": "%s"},
                             "context": {"url": "https://quokka.example/"}}]}
                """.formatted(visitor, interest);
    }

    static String consentBody(String subject, boolean granted) {
        return """
                {"subject": %s, "policyVersion": "v1", "purposes": {"targeting": %s, "performance": true},
                 "source": "banner", "proof": {"form": "banner-2026.1", "ip": "%s"}}
                """.formatted(subject, granted, IP);
    }

    static Http.Response consent(Http http, String key, String subject, boolean granted) {
        return http.post("/v1/consents", key, consentBody(subject, granted));
    }

    static long interests(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'interests'");
    }

    static JsonNode rule(JsonNode report, String name) {
        for (var r : report.get("rules")) if (r.get("rule").asText().equals(name)) return r;
        throw new AssertionError("no rule " + name + " in " + report);
    }

    static String withoutTimes(JsonNode report) {
        var copy = report.get("rules").deepCopy();
        copy.forEach(r -> ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("millis"));
        return copy.toString();
    }

    static List<String> paths(JsonNode problem) {
        var out = new ArrayList<String>();
        problem.get("errors").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }
}
