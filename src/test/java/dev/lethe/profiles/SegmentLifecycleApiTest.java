package dev.lethe.profiles;

import static dev.lethe.profiles.ProfileFilterApiTest.paths;
import static dev.lethe.profiles.ProfileListApiTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SegmentLifecycleApiTest {

    static final String BUYERS = """
            {"name": "Pro buyers", "filter": {"goal": "Pro purchase", "fields": {"tier": "silver"}}}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSegmentIsReadChangedAndDeletedAndItsNameIsFreeAgain(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var p = ProfileFilterApiTest.seed(lethe, a.adminKey());
            var other = http.post("/v1/segments", a.adminKey(), """
                    {"name": "Gold", "filter": {"fields": {"tier": "gold"}}}
                    """);
            var saved = http.post("/v1/segments", a.adminKey(), BUYERS);
            assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
            String id = saved.json().get("id").asText();

            var read = http.get("/v1/segments/" + id, a.adminKey());
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(read.json().get("name").asText()).isEqualTo("Pro buyers");
            assertThat(read.json().at("/filter/goal").asText()).isEqualTo("Pro purchase");
            assertThat(read.json().get("problems")).isEmpty();

            var naming = http.put("/v1/segments/" + id, a.adminKey(), """
                    {"name": "Zebulon", "filter": {"email": "zebulon@example.org", "phone": "+32470000000"}}
                    """, "application/json");
            assertThat(naming.status()).isEqualTo(422);
            assertThat(paths(naming.json())).containsExactlyInAnyOrder("filter.email", "filter.phone");
            assertThat(naming.json().toString()).contains("cannot name a person");
            var taken = http.put("/v1/segments/" + id, a.adminKey(), """
                    {"name": "Gold", "filter": {"engagement": "none"}}
                    """, "application/json");
            assertThat(taken.status()).isEqualTo(409);
            assertThat(http.get("/v1/segments/" + id, a.adminKey())
                            .json()
                            .get("name")
                            .asText())
                    .as("refused changes change nothing")
                    .isEqualTo("Pro buyers");

            var changed = http.put("/v1/segments/" + id, a.adminKey(), """
                    {"name": "Quiet ones", "filter": {"engagement": "none"}}
                    """, "application/json");
            assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
            assertThat(changed.json().get("filter").toString()).isEqualTo("{\"engagement\":\"none\"}");
            assertThat(ids(http.get("/v1/profiles?segment=Quiet%20ones", a.adminKey())
                            .json()))
                    .containsExactly(p.yolanda());
            assertThat(http.get("/v1/profiles?segment=Pro%20buyers", a.adminKey())
                            .status())
                    .isEqualTo(400);

            var deleted = http.delete("/v1/segments/" + id, a.adminKey());
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
            assertThat(http.get("/v1/segments/" + id, a.adminKey()).status()).isEqualTo(404);
            assertThat(http.delete("/v1/segments/" + id, a.adminKey()).status()).isEqualTo(404);
            assertThat(http.get("/v1/segments", a.adminKey()).json().get("segments"))
                    .extracting(s -> s.get("id").asText())
                    .containsExactly(other.json().get("id").asText());
            assertThat(http.post("/v1/segments", a.adminKey(), BUYERS.replace("Pro buyers", "Quiet ones"))
                            .status())
                    .as("a deleted segment's name is free again")
                    .isEqualTo(201);
            assertThat(lethe.strings(
                            "select action from audit_log where account_id = ? and action like 'segment.%' order by written_no",
                            a.id()))
                    .containsExactly(
                            "segment.save", "segment.save", "segment.change", "segment.delete", "segment.save");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherAccountsSegmentIsNotFoundAndStaysAsItIs(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            ProfileFilterApiTest.seed(lethe, a.adminKey());
            ProfileFilterApiTest.seed(lethe, b.adminKey());
            String id = http.post("/v1/segments", a.adminKey(), BUYERS)
                    .json()
                    .get("id")
                    .asText();

            assertThat(http.get("/v1/segments/" + id, b.adminKey()).status()).isEqualTo(404);
            assertThat(http.put("/v1/segments/" + id, b.adminKey(), BUYERS, "application/json")
                            .status())
                    .isEqualTo(404);
            assertThat(http.delete("/v1/segments/" + id, b.adminKey()).status()).isEqualTo(404);
            assertThat(http.delete("/v1/segments/not-an-id", b.adminKey()).status())
                    .isEqualTo(404);
            var read = lethe.createKey(a.adminKey(), "read").key();
            assertThat(http.delete("/v1/segments/" + id, read).status()).isEqualTo(403);

            assertThat(http.get("/v1/segments/" + id, a.adminKey())
                            .json()
                            .get("name")
                            .asText())
                    .isEqualTo("Pro buyers");
            assertThat(http.post("/v1/segments", b.adminKey(), BUYERS).status())
                    .as("names are per account")
                    .isEqualTo(201);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aGoalThatSegmentsUseIsNotDeletedUntilTheyNoLongerUseIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            ProfileFilterApiTest.seed(lethe, a.adminKey());
            String goalId = goalId(http, a.adminKey(), "Pro purchase");
            String byName = http.post("/v1/segments", a.adminKey(), BUYERS)
                    .json()
                    .get("id")
                    .asText();
            String byId = http.post(
                            "/v1/segments",
                            a.adminKey(),
                            "{\"name\": \"Pro buyers by id\", \"filter\": {\"goal\": \"" + goalId + "\"}}")
                    .json()
                    .get("id")
                    .asText();

            var refused = http.delete("/v1/goals/" + goalId, a.adminKey());

            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(paths(refused.json())).containsExactlyInAnyOrder("segments." + byName, "segments." + byId);
            assertThat(refused.json().toString()).contains("Pro buyers", "Pro buyers by id");
            assertThat(goalId(http, a.adminKey(), "Pro purchase")).isEqualTo(goalId);

            http.put("/v1/segments/" + byName, a.adminKey(), """
                    {"name": "Pro buyers", "filter": {"engagement": "high"}}
                    """, "application/json");
            assertThat(http.delete("/v1/goals/" + goalId, a.adminKey()).status())
                    .isEqualTo(409);
            http.delete("/v1/segments/" + byId, a.adminKey());
            assertThat(http.delete("/v1/goals/" + goalId, a.adminKey()).status())
                    .isEqualTo(204);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSegmentWhoseGoalWentEarlierSaysWhichGoalIsMissingAndCanStillBeMended(TestDatabase engine)
            throws SQLException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            var p = ProfileFilterApiTest.seed(lethe, a.adminKey());
            String id = http.post("/v1/segments", a.adminKey(), BUYERS)
                    .json()
                    .get("id")
                    .asText();
            // as a deletion before goals checked their segments left it
            try (var c = DriverManager.getConnection(lethe.jdbcUrl());
                    var s = c.createStatement()) {
                s.executeUpdate("delete from goal_hits");
                s.executeUpdate("delete from goals");
            }

            var listed = http.get("/v1/profiles?segment=Pro%20buyers", a.adminKey());
            assertThat(listed.status()).as(listed.toString()).isEqualTo(422);
            assertThat(paths(listed.json())).containsExactly("segment");
            assertThat(listed.json().at("/errors/0/message").asText())
                    .contains("Pro buyers", "goal 'Pro purchase'", "no longer exists");
            var read = http.get("/v1/segments/" + id, a.adminKey());
            assertThat(read.status()).isEqualTo(200);
            assertThat(paths(wrap(read.json()))).containsExactly("filter.goal");
            assertThat(http.get("/v1/segments", a.adminKey())
                            .json()
                            .at("/segments/0/problems/0/path")
                            .asText())
                    .isEqualTo("filter.goal");

            var mended = http.put("/v1/segments/" + id, a.adminKey(), """
                    {"name": "Pro buyers", "filter": {"fields": {"tier": "silver"}}}
                    """, "application/json");
            assertThat(mended.status()).as(mended.toString()).isEqualTo(200);
            assertThat(ids(http.get("/v1/profiles?segment=Pro%20buyers", a.adminKey())
                            .json()))
                    .containsExactly(p.xavier());
            assertThat(http.delete("/v1/segments/" + id, a.adminKey()).status()).isEqualTo(204);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSegmentSavedWhileItsGoalIsDeletedNeverOutlivesTheGoal(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            ProfileFilterApiTest.seed(lethe, a.adminKey());
            for (int r = 0; r < 6; r++) {
                int round = r;
                String name = "Goal " + round;
                String goalId = http.post(
                                "/v1/goals", a.adminKey(), "{\"name\": \"" + name + "\", \"eventType\": \"purchase\"}")
                        .json()
                        .get("goalId")
                        .asText();
                List<Callable<Http.Response>> calls = List.of(
                        () -> http.post(
                                "/v1/segments",
                                a.adminKey(),
                                "{\"name\": \"Segment " + round + "\", \"filter\": {\"goal\": \"" + name + "\"}}"),
                        () -> http.delete("/v1/goals/" + goalId, a.adminKey()));

                var results = Concurrently.run(calls);

                int saved = results.get(0).status();
                int deleted = results.get(1).status();
                assertThat(List.of(saved, deleted))
                        .as("round " + round + ": " + results)
                        .isIn(List.of(201, 409), List.of(422, 204));
            }
        }
    }

    /** The problems of a segment, shaped like a problem document's errors. */
    private static com.fasterxml.jackson.databind.JsonNode wrap(com.fasterxml.jackson.databind.JsonNode segment) {
        var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        node.set("errors", segment.get("problems"));
        return node;
    }

    static String goalId(Http http, String key, String name) {
        for (var g : http.get("/v1/goals", key).json().get("goals")) {
            if (g.get("name").asText().equals(name)) return g.get("goalId").asText();
        }
        throw new AssertionError("no goal " + name);
    }

    /** Racing saves of one name: one 201, the others the same 409 the check gives, never a 500. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void segmentsSavedAtOnceUnderOneNameGetOne201AndOtherwise409(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            for (int round = 0; round < 5; round++) {
                String body = "{\"name\": \"Same " + round + "\", \"filter\": {\"tag\": \"vip\"}}";
                var statuses = Concurrently.times(
                        8, () -> http.post("/v1/segments", a.adminKey(), body).status());
                assertThat(statuses).as("round " + round).containsOnly(201, 409);
                assertThat(statuses.stream().filter(st -> st == 201)).hasSize(1);
            }
        }
    }

    /**
     * A segment saved while the custom field it filters on is removed: one of the two wins, never
     * both (a segment left filtering on a field that no longer exists).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSegmentSavedWhileItsFieldIsRemovedOrTheRemovalWinsNeverBoth(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), dev.lethe.testing.TestPolicies.DATA_CORE);
            for (int round = 0; round < 6; round++) {
                String key = "tier" + round;
                var added = http.post(
                        "/v1/fields",
                        a.adminKey(),
                        "{\"key\": \"" + key + "\", \"category\": \"name\", \"filterable\": true}");
                assertThat(added.status()).as(added.toString()).isEqualTo(201);
                String segment =
                        "{\"name\": \"On " + key + "\", \"filter\": {\"fields\": {\"" + key + "\": \"gold\"}}}";
                List<Callable<Integer>> both = List.of(
                        () -> http.post("/v1/segments", a.adminKey(), segment).status(),
                        () -> http.delete("/v1/fields/" + key, a.adminKey()).status());
                var statuses = Concurrently.run(both);
                assertThat(statuses)
                        .as("round " + round + ": segment save, field removal")
                        .isIn(List.of(201, 409), List.of(422, 200));
            }
        }
    }
}
