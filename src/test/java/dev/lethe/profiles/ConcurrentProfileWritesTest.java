package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 10 for writes on one person: real HTTP calls racing each other end in a state one of
 * them alone could have produced — never two profiles for one email, never a merge that destroys
 * both sides, never a row left on a subject that no longer exists, never a 500.
 */
class ConcurrentProfileWritesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void mergesInOppositeDirectionsAtOnceLeaveExactlyOneProfileHoldingBoth(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (int round = 0; round < 10; round++) {
                String one = identify(http, a.adminKey(), "zebulon" + round + "@example.org", "Zebulon " + round);
                String two = identify(http, a.adminKey(), "quentin" + round + "@example.org", "Quentin " + round);

                var statuses = Concurrently.run(List.<Callable<Integer>>of(
                        () -> merge(http, a.adminKey(), one, two).status(),
                        () -> merge(http, a.adminKey(), two, one).status()));

                assertThat(statuses)
                        .as("round " + round)
                        .filteredOn(s -> s == 200)
                        .hasSize(1);
                assertThat(statuses).as("round " + round).allMatch(s -> s == 200 || s == 404 || s == 422);
                String survivor = statuses.get(0) == 200 ? one : two;
                String gone = survivor.equals(one) ? two : one;
                var view = http.get("/v1/profiles/" + survivor, a.adminKey());
                assertThat(view.status()).as(view.toString()).isEqualTo(200);
                assertThat(http.get("/v1/profiles/" + gone, a.adminKey()).status())
                        .isEqualTo(404);
                // both emails now find the survivor, whose values all still open
                for (String email : List.of("zebulon" + round + "@example.org", "quentin" + round + "@example.org")) {
                    assertThat(http.get("/v1/profiles?email=" + email, a.adminKey())
                                    .json()
                                    .at("/profiles/0/id")
                                    .asText())
                            .isEqualTo(survivor);
                }
                assertThat(view.json().at("/traits/name").asText())
                        .as("the name written last wins, whichever profile survives")
                        .isEqualTo("Quentin " + round);
            }
            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'profile.merge'", a.id()))
                    .isEqualTo(10);
            Orphans.assertNone(lethe, a.id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void oneProfileMergedIntoFiveTargetsAtOnceMovesOnceToOneOfThem(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String source = identify(http, a.adminKey(), "zebulon@example.org", "Zebulon Quux");
            var targets = new ArrayList<String>();
            for (int i = 0; i < 5; i++) targets.add(identify(http, a.adminKey(), "target" + i + "@example.org", null));

            var calls = new ArrayList<Callable<Integer>>();
            for (String target : targets)
                calls.add(() -> merge(http, a.adminKey(), target, source).status());
            var statuses = Concurrently.run(calls);

            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).allMatch(s -> s == 200 || s == 422);
            String winner = targets.get(statuses.indexOf(200));
            var view = http.get("/v1/profiles/" + winner, a.adminKey()).json();
            assertThat(view.at("/traits/name").asText()).isEqualTo("Zebulon Quux");
            assertThat(http.get("/v1/profiles?email=zebulon@example.org", a.adminKey())
                            .json()
                            .at("/profiles/0/id")
                            .asText())
                    .isEqualTo(winner);
            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'profile.merge'", a.id()))
                    .isEqualTo(1);
            Orphans.assertNone(lethe, a.id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void twentyIdentifiesOfOneNewEmailAtOnceMakeOneProfileAndNoError(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (int round = 0; round < 3; round++) {
                String email = "wombat" + round + "@example.org";
                int n = round;
                var calls = new ArrayList<Callable<Http.Response>>();
                for (int i = 0; i < 20; i++) {
                    // some also bring a device and a phone, so they contend on several identifiers
                    String body = i % 3 == 0
                            ? "{\"visitorId\": \"tablet-%d-%d\", \"identifiers\": {\"email\": \"%s\", \"phone\": \"+3247100%04d\"}}"
                                    .formatted(n, i, email, n)
                            : "{\"identifiers\": {\"email\": \"%s\"}}".formatted(email);
                    calls.add(() -> http.post("/v1/identify", a.adminKey(), body));
                }
                var responses = Concurrently.run(calls);

                assertThat(responses)
                        .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(200, 201));
                assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);
                assertThat(responses.stream()
                                .map(r -> r.json().get("profileId").asText())
                                .distinct())
                        .hasSize(1);
            }
            assertThat(lethe.count("select count(*) from subjects where account_id = ? and identified", a.id()))
                    .isEqualTo(3);
            assertThat(lethe.count("select count(*) from identifiers where account_id = ? and kind = 'email'", a.id()))
                    .isEqualTo(3);
            Orphans.assertNone(lethe, a.id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsTrackedWhileTheirProfileIsMergedAwayAllLandOnTheSurvivor(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            int accepted = 0;
            for (int round = 0; round < 5; round++) {
                String survivor = identify(http, a.adminKey(), "survivor" + round + "@example.org", null);
                String device = "phone-" + round;
                String merged = http.post("/v1/identify", a.adminKey(), """
                                {"visitorId": "%s", "identifiers": {"email": "merged%d@example.org"}}
                                """.formatted(device, round))
                        .json()
                        .get("profileId")
                        .asText();
                var calls = new ArrayList<Callable<Http.Response>>();
                for (int b = 0; b < 6; b++) {
                    String body = track(device, b, 10);
                    calls.add(() -> http.post("/v1/track", a.adminKey(), body));
                }
                calls.add(3, () -> merge(http, a.adminKey(), survivor, merged));
                var responses = Concurrently.run(calls);

                assertThat(responses)
                        .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(200, 202));
                assertThat(responses.get(3).status()).isEqualTo(200);
                for (var r : responses) {
                    if (r.status() == 202) accepted += r.json().get("accepted").asInt();
                }
                assertThat(lethe.count(
                                "select count(*) from events where account_id = ? and subject_id = ?",
                                a.id(),
                                survivor))
                        .as("round " + round)
                        .isEqualTo(60);
                var view = http.get("/v1/profiles/" + survivor, a.adminKey());
                assertThat(view.status()).as(view.toString()).isEqualTo(200);
                assertThat(view.json().at("/summary/events").asInt()).isEqualTo(60);
            }
            assertThat(accepted).isEqualTo(5 * 6 * 10);
            Orphans.assertNone(lethe, a.id());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eventsForAVisitorWhoseProfileWasShreddedAreRefusedNotSealedUnderADeadKey(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"visitorId": "laptop-9", "identifiers": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            var admin = lethe.lethe().accounts().authenticate(a.adminKey(), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, profile))
                    .isTrue();
            long valuesBefore = lethe.count("select count(*) from personal_values where account_id = ?", a.id());

            var r = http.post("/v1/track", a.adminKey(), track("laptop-9", 0, 3));

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isZero();
            assertThat(r.json().at("/rejected/0/errors/0/path").asText()).isEqualTo("events[0].visitorId");
            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where account_id = ?", a.id()))
                    .isEqualTo(valuesBefore);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aShreddedProfileTakesNoTagsAndAShreddedDeviceBringsNothingWhenItIdentifies(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml(
                    "/v1/policy",
                    a.adminKey(),
                    TestPolicies.DATA_CORE.replace(
                            "  traits.lastIp: ip_address\n",
                            "  traits.lastIp: ip_address\n  traits.tags: visit_history\n"));
            String profile = identify(http, a.adminKey(), "zebulon@example.org", null);
            http.post("/v1/track", a.adminKey(), track("old-laptop", 0, 2));
            String device = lethe.strings(
                            "select subject_id from identifiers where account_id = ? and kind = 'visitorId'", a.id())
                    .getFirst();
            var admin = lethe.lethe().accounts().authenticate(a.adminKey(), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, profile))
                    .isTrue();
            assertThat(lethe.lethe().profiles().shredding().shred(admin, device))
                    .isTrue();
            long values = lethe.count("select count(*) from personal_values where account_id = ?", a.id());

            var tagged = http.post("/v1/profiles/" + profile + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}");
            var joined = http.post("/v1/identify", a.adminKey(), """
                    {"visitorId": "old-laptop", "identifiers": {"email": "yolanda@example.org"}}
                    """);

            assertThat(tagged.status()).as(tagged.toString()).isEqualTo(410);
            assertThat(joined.status()).as(joined.toString()).isEqualTo(201);
            assertThat(joined.json().get("visitorJoined").asBoolean()).isFalse();
            String yolanda = joined.json().get("profileId").asText();
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ? and subject_id = ?", a.id(), yolanda))
                    .isZero();
            assertThat(lethe.count("select count(*) from profile_tags where account_id = ?", a.id()))
                    .isZero();
            // only yolanda's email was added
            assertThat(lethe.count("select count(*) from personal_values where account_id = ?", a.id()))
                    .isEqualTo(values + 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aGoalDefinedWhileItsAchieversAreMergedRecordsEveryHitOnAPersonWhoStillExists(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (int round = 0; round < 4; round++) {
                var calls = new ArrayList<Callable<Http.Response>>();
                for (int p = 0; p < 4; p++) {
                    String device = "till-" + round + "-" + p;
                    http.post("/v1/track", a.adminKey(), """
                            {"events": [{"visitorId": "%s", "type": "purchase_%d"}]}
                            """.formatted(device, round));
                    String source = http.post("/v1/identify", a.adminKey(), """
                                    {"visitorId": "%s", "identifiers": {"email": "buyer%d-%d@example.org"}}
                                    """.formatted(device, round, p))
                            .json()
                            .get("profileId")
                            .asText();
                    String target = identify(http, a.adminKey(), "keeper" + round + "-" + p + "@example.org", null);
                    calls.add(() -> merge(http, a.adminKey(), target, source));
                }
                int r = round;
                calls.add(2, () -> http.post("/v1/goals", a.adminKey(), """
                        {"name": "Purchase %d", "eventType": "purchase_%d"}
                        """.formatted(r, r)));
                var responses = Concurrently.run(calls);

                assertThat(responses)
                        .allSatisfy(x -> assertThat(x.status()).as(x.toString()).isIn(200, 201));
                assertThat(responses.get(2).json().get("achievedBefore").asInt())
                        .isEqualTo(4);
            }
            assertThat(lethe.count("select count(*) from goal_hits where account_id = ?", a.id()))
                    .isEqualTo(16);
            Orphans.assertNone(lethe, a.id());
        }
    }

    static String identify(Http http, String key, String email, String name) {
        String traits = name == null ? "" : ", \"traits\": {\"name\": \"" + name + "\"}";
        var r = http.post("/v1/identify", key, "{\"identifiers\": {\"email\": \"" + email + "\"}" + traits + "}");
        if (r.status() != 200 && r.status() != 201) throw new AssertionError(r.toString());
        return r.json().get("profileId").asText();
    }

    private static Http.Response merge(Http http, String key, String survivor, String other) {
        return http.post("/v1/profiles/" + survivor + "/merge", key, "{\"from\": \"" + other + "\"}");
    }

    private static String track(String visitor, int batch, int events) {
        var out = new ArrayList<String>();
        for (int i = 0; i < events; i++) {
            out.add(
                    "{\"visitorId\": \"%s\", \"type\": \"page_view\", \"context\": {\"ip\": \"203.0.113.%d\", \"url\": \"https://shop.example/%d\"}}"
                            .formatted(visitor, batch * 10 + i, i));
        }
        return "{\"events\": [" + String.join(",", out) + "]}";
    }
}
