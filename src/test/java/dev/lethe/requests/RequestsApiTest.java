package dev.lethe.requests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-subject requests over HTTP: a person Lethe does not know is answered as such; deadlines
 * one calendar month after receipt for receipts on 31 January, 29 February and 31 December; one
 * extension of at most two further months, refused once the due date has passed; the queue, the
 * overdue metric; rejection with a reason; restriction and its lifting; every change audited
 * with ids, never the identifier.
 */
class RequestsApiTest {

    static final String EMAIL = "zebulon@example.org";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPersonLetheDoesNotKnowIsAnsweredAsSuchNotAsAnError(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var r = http.post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"email": "nobody@example.org"}}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.json().get("status").asText()).isEqualTo("completed");
            assertThat(r.json().get("outcome").asText()).isEqualTo("not_found");
            assertThat(r.json().path("subjectId").isTextual()).isFalse();
            assertThat(r.json().get("identifiedBy").asText()).isEqualTo("email");
            assertThat(lethe.count("select count(*) from requests")).isEqualTo(1);
            assertThat(lethe.strings("select action from audit_log where action like 'request.%' order by seq"))
                    .containsExactly("request.receive", "request.complete");
            assertThat(lethe.strings("select targets || detail from audit_log")).noneMatch(t -> t.contains("nobody"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void deadlinesForReceiptsOn31January29FebruaryAnd31December(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            person(http, a.adminKey(), EMAIL);
            lethe.clock().set(Instant.parse("2028-03-01T00:00:00Z"));

            assertThat(due(http, a.adminKey(), "2026-01-31T10:00:00Z")).isEqualTo("2026-02-28T10:00:00Z");
            assertThat(due(http, a.adminKey(), "2028-01-31T10:00:00Z")).isEqualTo("2028-02-29T10:00:00Z");
            assertThat(due(http, a.adminKey(), "2028-02-29T10:00:00Z")).isEqualTo("2028-03-29T10:00:00Z");
            assertThat(due(http, a.adminKey(), "2026-12-31T10:00:00Z")).isEqualTo("2027-01-31T10:00:00Z");

            var future = http.post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"email": "%s"}, "receivedAt": "2029-01-01T00:00:00Z"}
                    """.formatted(EMAIL));
            assertThat(future.status()).as(future.toString()).isEqualTo(422);
            assertThat(future.json().get("errors").get(0).get("path").asText()).isEqualTo("receivedAt");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void oneExtensionOfAtMostTwoMonthsWithAReasonRefusedOnceTheDueDateHasPassed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            person(http, a.adminKey(), EMAIL);
            lethe.clock().set(Instant.parse("2027-01-05T00:00:00Z"));
            String dec31 = request(http, a.adminKey(), "rectification", "2026-12-31T10:00:00Z");
            String path = "/v1/requests/" + dec31 + "/extend";

            var tooLong = http.post(path, a.adminKey(), "{\"months\": 3, \"reason\": \"complex case\"}");
            assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(422);
            assertThat(tooLong.json().get("errors").get(0).get("message").asText())
                    .contains("two further months");
            var beyond = http.post(path, a.adminKey(), """
                    {"until": "2027-04-01T10:00:00Z", "reason": "complex case"}
                    """);
            assertThat(beyond.status()).as(beyond.toString()).isEqualTo(422);
            assertThat(beyond.json().get("errors").get(0).get("message").asText())
                    .contains("2027-03-31T10:00:00Z");
            var noReason = http.post(path, a.adminKey(), "{\"months\": 2}");
            assertThat(noReason.status()).isEqualTo(422);
            assertThat(noReason.json().get("errors").get(0).get("path").asText())
                    .isEqualTo("reason");
            assertThat(http.get("/v1/requests/" + dec31, a.adminKey())
                            .json()
                            .get("dueAt")
                            .asText())
                    .as("nothing changed")
                    .isEqualTo("2027-01-31T10:00:00Z");

            var extended = http.post(path, a.adminKey(), "{\"months\": 2, \"reason\": \"many systems to check\"}");
            assertThat(extended.status()).as(extended.toString()).isEqualTo(200);
            assertThat(extended.json().get("dueAt").asText()).isEqualTo("2027-03-31T10:00:00Z");
            assertThat(extended.json().get("originalDueAt").asText()).isEqualTo("2027-01-31T10:00:00Z");
            assertThat(extended.json().get("extensionReason").asText()).isEqualTo("many systems to check");
            var again = http.post(path, a.adminKey(), "{\"months\": 1, \"reason\": \"still more\"}");
            assertThat(again.status()).as(again.toString()).isEqualTo(409);
            assertThat(again.json().get("title").asText()).contains("one extension");

            // a request whose due date has passed can no longer be extended
            String late = request(http, a.adminKey(), "rectification", "2026-12-01T10:00:00Z");
            var refused = http.post(
                    "/v1/requests/" + late + "/extend", a.adminKey(), "{\"months\": 1, \"reason\": \"forgot\"}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.json().get("title").asText()).contains("has passed");
            assertThat(lethe.strings("select action from audit_log where action = 'request.extend'"))
                    .hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theQueueListsOverdueAndSoonDueRequestsAndTheMetricCountsTheOverdue(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            person(http, a.adminKey(), EMAIL);
            lethe.clock().set(Instant.parse("2026-03-10T00:00:00Z"));
            String overdue = request(http, a.adminKey(), "rectification", "2026-02-01T00:00:00Z"); // due 1 March
            String soon = request(http, a.adminKey(), "erasure", "2026-02-13T00:00:00Z"); // due 13 March
            String later = request(http, a.adminKey(), "rectification", "2026-03-05T00:00:00Z"); // due 5 April
            String rejected = request(http, a.adminKey(), "rectification", "2026-01-20T00:00:00Z");
            var reject = http.post(
                    "/v1/requests/" + rejected + "/reject", a.adminKey(), "{\"reason\": \"manifestly unfounded\"}");
            assertThat(reject.json().get("status").asText()).isEqualTo("rejected");
            assertThat(reject.json().get("reason").asText()).isEqualTo("manifestly unfounded");
            assertThat(http.post("/v1/requests/" + rejected + "/reject", a.adminKey(), "{\"reason\": \"twice\"}")
                            .status())
                    .isEqualTo(409);

            assertThat(ids(http.get("/v1/requests?overdue=true", a.adminKey()))).containsExactly(overdue);
            assertThat(ids(http.get("/v1/requests?dueWithin=P7D", a.adminKey())))
                    .containsExactly(overdue, soon);
            assertThat(ids(http.get("/v1/requests?status=in_progress&type=erasure", a.adminKey())))
                    .containsExactly(soon);
            assertThat(ids(http.get("/v1/requests?overdue=false", a.adminKey())))
                    .containsExactly(rejected, soon, later);
            var first = http.get("/v1/requests?limit=2", a.adminKey()).json();
            assertThat(first.get("requests")).hasSize(2);
            var second = http.get(
                            "/v1/requests?limit=2&cursor="
                                    + first.get("nextCursor").asText(),
                            a.adminKey())
                    .json();
            var all = new ArrayList<String>();
            first.get("requests").forEach(r -> all.add(r.get("id").asText()));
            second.get("requests").forEach(r -> all.add(r.get("id").asText()));
            assertThat(all).containsExactly(rejected, overdue, soon, later);
            var bad = http.get("/v1/requests?dueWithin=soon&status=lost", a.adminKey());
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("errors")).hasSize(2);

            assertThat(http.get("/v1/requests/" + overdue, a.adminKey())
                            .json()
                            .get("overdue")
                            .asBoolean())
                    .isTrue();
            assertThat(overdueMetric(http, a.id())).isEqualTo(1.0);
            lethe.clock().set(Instant.parse("2026-03-14T00:00:00Z"));
            lethe.lethe().requests().refreshOverdue();
            assertThat(overdueMetric(http, a.id())).isEqualTo(2.0);
            assertThat(http.get("/metrics", null).body())
                    .contains("lethe_requests_total{outcome=\"rejected\",type=\"rectification\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRestrictionHoldsAtOnceUntilLiftedAnErasureErasesAndAnObjectionWithdraws(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = person(http, a.adminKey(), EMAIL);

            var restriction = http.post("/v1/requests", a.adminKey(), """
                    {"type": "restriction", "subject": {"profileId": "%s"}}
                    """.formatted(profile));
            assertThat(restriction.status()).as(restriction.toString()).isEqualTo(201);
            assertThat(restriction.json().get("status").asText()).isEqualTo("completed");
            assertThat(restriction.json().get("outcome").asText()).isEqualTo("restricted");
            assertThat(restriction.json().get("restricted").asBoolean()).isTrue();
            assertThat(restriction.json().get("subjectId").asText()).isEqualTo(profile);
            String id = restriction.json().get("id").asText();
            var lifted = http.post("/v1/requests/" + id + "/lift", a.adminKey(), "");
            assertThat(lifted.status()).as(lifted.toString()).isEqualTo(200);
            assertThat(lifted.json().get("restricted").asBoolean()).isFalse();
            assertThat(lifted.json().get("liftedAt").asText())
                    .isEqualTo(lethe.clock().instant().toString());
            assertThat(http.post("/v1/requests/" + id + "/lift", a.adminKey(), "")
                            .status())
                    .isEqualTo(409);

            String erasure = request(http, a.adminKey(), "erasure", null);
            var erased = http.post("/v1/requests/" + erasure + "/complete", a.adminKey(), "");
            assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
            assertThat(erased.json().get("status").asText()).isEqualTo("completed");
            assertThat(erased.json().get("outcome").asText()).isEqualTo("erased");
            assertThat(erased.body()).contains(profile).doesNotContain(EMAIL);
            assertThat(lethe.count("select count(*) from erasures where subject_id = cast(? as uuid)", profile))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from subject_keys where subject_id = cast(? as uuid)", profile))
                    .as("the key is destroyed in the transaction that completes the request")
                    .isZero();
            assertThat(http.post("/v1/requests/" + erasure + "/complete", a.adminKey(), "")
                            .status())
                    .as("a completed request is not completed twice")
                    .isEqualTo(409);

            String other = person(http, a.adminKey(), "yolanda@example.org");
            var objection = http.post("/v1/requests", a.adminKey(), """
                    {"type": "objection", "subject": {"email": "yolanda@example.org"}, "purposes": ["targeting"]}
                    """);
            assertThat(objection.status()).as(objection.toString()).isEqualTo(201);
            assertThat(lethe.count(
                            "select count(*) from consent_purposes where subject_id = cast(? as uuid)"
                                    + " and purpose = 'targeting' and granted = false",
                            other))
                    .as("an objection is a withdrawal in the consent ledger")
                    .isEqualTo(1);

            assertThat(lethe.strings("select action from audit_log where action like 'request.%' order by seq"))
                    .contains("request.receive", "request.start", "request.complete", "request.restriction.lift");
            assertThat(lethe.strings("select targets || detail from audit_log where action like 'request.%'"))
                    .allMatch(t -> t.contains("request:"))
                    .noneMatch(t -> t.contains(EMAIL));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void badRequestsAreRefusedWithEveryMistakeAndNothingRecorded(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);

            var r = http.post("/v1/requests", a.adminKey(), """
                    {"type": "forget", "subject": {"email": "x@example.org", "phone": "+32471234567"},
                     "purposes": ["Bad Purpose"], "colour": "red"}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.json().get("errors"))
                    .extracting(e -> e.get("path").asText())
                    .containsExactlyInAnyOrder("type", "subject", "purposes[0]", "colour");
            var badEmail = http.post("/v1/requests", a.adminKey(), """
                    {"type": "access", "subject": {"email": "zeb-at-quokka.example"}}
                    """);
            assertThat(badEmail.status()).isEqualTo(422);
            assertThat(badEmail.body()).doesNotContain("zeb-at-quokka");
            assertThat(lethe.count("select count(*) from requests")).isZero();
            var read = lethe.createKey(a.adminKey(), "read");
            assertThat(http.post("/v1/requests", read.key(), """
                            {"type": "access", "subject": {"email": "x@example.org"}}
                            """).status()).isEqualTo(403);
        }
    }

    static String person(Http http, String key, String email) {
        var r = http.post("/v1/identify", key, """
                {"identifiers": {"email": "%s"}, "traits": {"name": "Zebulon"}}
                """.formatted(email));
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    static String request(Http http, String key, String type, String receivedAt) {
        var r = http.post("/v1/requests", key, """
                {"type": "%s", "subject": {"email": "%s"}%s}
                """.formatted(
                        type, EMAIL, receivedAt == null ? "" : ", \"receivedAt\": \"" + receivedAt + "\""));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("status").asText()).isEqualTo("in_progress");
        return r.json().get("id").asText();
    }

    private static String due(Http http, String key, String receivedAt) {
        return http.get("/v1/requests/" + request(http, key, "rectification", receivedAt), key)
                .json()
                .get("dueAt")
                .asText();
    }

    private static List<String> ids(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var out = new ArrayList<String>();
        for (JsonNode n : r.json().get("requests")) out.add(n.get("id").asText());
        return out;
    }

    private static double overdueMetric(Http http, String accountId) {
        String prefix = "lethe_requests_overdue{account=\"" + accountId + "\"}";
        return http.get("/metrics", null)
                .body()
                .lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(
                        l -> Double.parseDouble(l.substring(prefix.length()).strip()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix));
    }
}
