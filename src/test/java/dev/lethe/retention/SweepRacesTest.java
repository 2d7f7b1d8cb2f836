package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Concurrently;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sweeps racing other requests over HTTP (promise 10): two sweeps of one account asked at the
 * same moment make one sweep and one 409, counted once; and a person an inactivity rule is
 * removing while their new events arrive loses none of the events answered 202 — the sweep's
 * re-check under the subject lock sees the new activity and keeps the person, or the events,
 * arriving after the removal, make a new visitor; and profiles merged while a sweep deletes their
 * expired rows end with nothing expired, nothing fresh lost and no row left on a profile merged away.
 */
class SweepRacesTest {

    private static final String POLICY = """
            lethe: 1
            controller: { name: "Heron Shop BV", contact: "privacy@heron.example" }
            subjects:
              visitor: { description: "Anonymous website visitors" }
            categories:
              ip_address:
                purpose: security
                lawfulBasis: legitimate_interests
                source: tracking
                subjects: [visitor]
                retention: { period: P1Y }
            fields:
              context.ip: ip_address
            records:
              visit_event: { kind: event, retention: { period: EVENTS, then: delete } }
              visitor_profile: { kind: profile, retention: { period: P1D, after: inactive P30D } }
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void twoSweepsAskedAtOnceMakeOneSweepAndOne409AndCountOnce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Heron");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY.replace("EVENTS", "P7D"))
                            .status())
                    .isEqualTo(201);
            int events = 0;
            for (int batch = 0; batch < 3; batch++) {
                var body = new ArrayList<String>();
                for (int e = 0; e < 1000; e++) body.add("""
                            {"visitorId": "v-%d", "type": "page_view", "context": {"ip": "203.0.113.%d"}}""".formatted(e % 50, e % 250));
                track(http, a.adminKey(), body);
                events += body.size();
            }
            // the events have expired; the visitors (active 10 days ago) have not
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofDays(10)));

            var answers = Concurrently.times(2, () -> http.post("/v1/sweeps", a.adminKey(), "{}"));

            assertThat(answers.stream().map(Http.Response::status).sorted().toList())
                    .as("%s", answers)
                    .containsExactly(200, 409);
            var refused =
                    answers.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
            var swept =
                    answers.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("status").asInt()).isEqualTo(409);
            assertThat(refused.json().get("title").asText())
                    .contains(swept.json().get("id").asText());
            assertThat(refused.json().get("errors")).isNotEmpty();
            assertThat(Sweeping.affected(swept.json(), "records.visit_event")).isEqualTo(events);

            var sweeps = http.get("/v1/sweeps", a.adminKey()).json().get("sweeps");
            assertThat(sweeps).hasSize(1);
            assertThat(sweeps.get(0).get("totals").get("affected").asLong()).isEqualTo(events);
            assertThat(lethe.count("select count(*) from events")).isZero();
            assertThat(lethe.count("select count(*) from personal_values")).isZero();
            assertThat(Sweeping.affected(Sweeping.sweep(http, a.adminKey()), "records.visit_event"))
                    .as("nothing left for a second sweep")
                    .isZero();
        }
    }

    /**
     * 300 visitors inactive for 40 days are removed by a sweep while eight clients send events for
     * 240 of them, 20 visitors a call; every event answered 202 is stored afterwards. The last 60
     * get no event, so the sweep removes people however the clients and the sweep happen to
     * interleave (on a busy machine the clients may reach all 240 before the sweep looks).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void noAcknowledgedEventIsLostWhileItsInactivePersonIsBeingRemoved(TestDatabase engine) throws Exception {
        int people = 300;
        int clients = 8;
        int perCall = 20;
        int named = 240;
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Heron");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), POLICY.replace("EVENTS", "P1Y"))
                            .status())
                    .isEqualTo(201);
            var seed = new ArrayList<String>();
            for (int v = 0; v < people; v++) seed.add("""
                        {"visitorId": "v-%d", "type": "first_visit", "context": {"ip": "203.0.113.7"}}""".formatted(v));
            track(http, a.adminKey(), seed);
            Instant seeded = lethe.clock().instant();
            lethe.clock().set(seeded.plus(Duration.ofDays(40)));
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(people);

            var acknowledged = new ConcurrentLinkedQueue<String>();
            var other = new ConcurrentLinkedQueue<String>();
            var sweeping = new AtomicBoolean(true);
            var calls = new AtomicInteger();
            long removed;
            try (var pool = Executors.newFixedThreadPool(clients)) {
                var senders = new ArrayList<Future<?>>();
                for (int c = 0; c < clients; c++) {
                    int client = c;
                    senders.add(pool.submit(() -> {
                        for (int n = 0; sweeping.get(); n++) {
                            int call = calls.incrementAndGet();
                            var types = new ArrayList<String>();
                            var body = new ArrayList<String>();
                            for (int e = 0; e < perCall; e++) {
                                int visitor = (client * 37 + n * perCall + e * 13) % named;
                                String type = "late.c%d.e%d".formatted(call, e);
                                types.add(type);
                                body.add("""
                                        {"visitorId": "v-%d", "type": "%s", "context": {"ip": "203.0.113.9"}}""".formatted(visitor, type));
                            }
                            var r = http.post(
                                    "/v1/track", a.adminKey(), "{\"events\": [" + String.join(",", body) + "]}");
                            if (r.status() == 202 && r.json().get("accepted").asInt() == perCall)
                                acknowledged.addAll(types);
                            else if (r.status() != 409) other.add(r.toString());
                        }
                    }));
                }
                Thread.sleep(50); // the senders are under way
                var report = Sweeping.sweep(http, a.adminKey());
                sweeping.set(false);
                for (var s : senders) s.get();
                removed = Sweeping.affected(report, "records.visitor_profile");
            }

            assertThat(other).as("answers other than 202 or 409").isEmpty();
            assertThat(removed)
                    .as("the sweep removed people while events arrived (at least those no event named)")
                    .isGreaterThanOrEqualTo(people - named);
            var stored = new HashSet<>(lethe.strings("select type from events where type like 'late.%'"));
            var lost = acknowledged.stream().filter(t -> !stored.contains(t)).toList();
            assertThat(lost)
                    .as(
                            "events answered 202 that are not stored (%d acknowledged, %d people removed)",
                            acknowledged.size(), removed)
                    .isEmpty();
            assertThat(lethe.count("select count(*) from events where type = 'first_visit'"))
                    .as("the first visits of the people who stayed")
                    .isEqualTo(people - removed);
        }
    }

    private static final String MERGE_POLICY = """
            lethe: 1
            controller: { name: "Heron Shop BV", contact: "privacy@heron.example" }
            subjects:
              visitor: { description: "Anonymous website visitors" }
              profile: { description: "Identified customers" }
            categories:
              email_address:
                purpose: identification
                lawfulBasis: contract
                source: user_form
                subjects: [visitor, profile]
                retention: { period: P3Y, after: collected }
              ip_address:
                purpose: security
                lawfulBasis: legitimate_interests
                source: tracking
                subjects: [visitor, profile]
                retention: { period: P7D, after: collected }
            fields:
              identifiers.email: email_address
              traits.lastIp: ip_address
              context.ip: ip_address
            records:
              visit_event: { kind: event, retention: { period: P7D, after: collected, then: delete } }
            """;

    /**
     * 80 pairs of profiles, each with expired events and IP addresses (the sweep deletes them on
     * both sides) and fresh events and emails (which must survive), are merged pair by pair by two
     * clients while a sweep runs. Every merge answers 200 or a clean 4xx; afterwards no row refers to
     * a profile merged away, everything fresh is there, everything expired is gone, and a second
     * sweep has nothing left to do: the state one of them alone, then the other, could produce.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSweepRacingProfileMergesEndsInAStateOneOfThemAloneCouldProduce(TestDatabase engine) {
        int pairs = 80;
        int people = 2 * pairs;
        int oldPerPerson = 10;
        int freshPerPerson = 3;
        int clients = 2;
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Heron");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), MERGE_POLICY).status())
                    .isEqualTo(201);
            var old = new ArrayList<String>();
            for (int p = 0; p < people; p++) for (int e = 0; e < oldPerPerson; e++) old.add("""
                            {"visitorId": "d-%d", "type": "old", "context": {"ip": "198.51.100.%d"}}""".formatted(p, e));
            for (int from = 0; from < old.size(); from += 1000)
                track(http, a.adminKey(), old.subList(from, Math.min(old.size(), from + 1000)));
            var profiles = new ArrayList<String>();
            for (int p = 0; p < people; p++) {
                var r = http.post("/v1/identify", a.adminKey(), """
                        {"visitorId": "d-%d", "identifiers": {"email": "heron-%d@example.org"}, "traits": {"lastIp": "198.51.100.200"}}
                        """.formatted(p, p));
                assertThat(r.status()).as(r.toString()).isBetween(200, 201);
                profiles.add(r.json().get("profileId").asText());
            }
            assertThat(new HashSet<>(profiles)).hasSize(people);
            // the first visits and the IP traits have expired; the fresh visits and the emails have not
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofDays(10)));
            var fresh = new ArrayList<String>();
            for (int p = 0; p < people; p++) for (int e = 0; e < freshPerPerson; e++) fresh.add("""
                            {"visitorId": "d-%d", "type": "fresh", "context": {"ip": "203.0.113.%d"}}""".formatted(p, e));
            track(http, a.adminKey(), fresh);
            assertThat(lethe.count("select count(*) from events where type = 'old' and subject_id in"
                            + " (select subject_id from subjects where subject_type = 'profile')"))
                    .as("the expired events are the profiles'")
                    .isEqualTo((long) people * oldPerPerson);
            assertThat(lethe.count("select count(*) from events where type = 'fresh' and subject_id in"
                            + " (select subject_id from subjects where subject_type = 'profile')"))
                    .as("the fresh events are the profiles'")
                    .isEqualTo((long) people * freshPerPerson);
            long emails = lethe.count("select count(*) from personal_values where category = 'email_address'");
            long freshIps = lethe.count("select count(*) from personal_values where category = 'ip_address'"
                    + " and record_id in (select event_id from events where type = 'fresh')");
            assertThat(emails).isGreaterThanOrEqualTo(people);
            assertThat(freshIps).isEqualTo((long) people * freshPerPerson);

            var next = new AtomicInteger();
            var calls = new ArrayList<Callable<List<Http.Response>>>();
            calls.add(() -> List.of(http.post("/v1/sweeps", a.adminKey(), "{}")));
            for (int c = 0; c < clients; c++)
                calls.add(() -> {
                    var answers = new ArrayList<Http.Response>();
                    for (int p = next.getAndIncrement(); p < pairs; p = next.getAndIncrement())
                        answers.add(http.post(
                                "/v1/profiles/" + profiles.get(2 * p) + "/merge",
                                a.adminKey(),
                                "{\"from\": \"" + profiles.get(2 * p + 1) + "\"}"));
                    return answers;
                });
            long started = System.nanoTime();
            var answers = Concurrently.run(calls);
            long millis = (System.nanoTime() - started) / 1_000_000;

            var sweep = answers.get(0).get(0);
            assertThat(sweep.status()).as(sweep.toString()).isEqualTo(200);
            assertThat(sweep.json().get("status").asText()).as(sweep.toString()).isEqualTo("succeeded");
            assertThat(Sweeping.affected(sweep.json(), "records.visit_event"))
                    .as("every expired event swept once")
                    .isEqualTo((long) people * oldPerPerson);
            var merges = answers.subList(1, answers.size()).stream()
                    .flatMap(List::stream)
                    .toList();
            assertThat(merges).hasSize(pairs);
            var unclean = merges.stream()
                    .filter(r -> r.status() != 200
                            && (r.status() >= 500
                                    || r.status() < 400
                                    || !r.contentType().startsWith("application/problem+json")))
                    .toList();
            assertThat(unclean).as("merge answers neither 200 nor a clean 4xx").isEmpty();
            long merged = merges.stream().filter(r -> r.status() == 200).count();
            assertThat(lethe.count("select count(*) from subjects where subject_type = 'profile'"))
                    .as("one profile left of each pair merged (%d of %d merged in %d ms)", merged, pairs, millis)
                    .isEqualTo(people - merged);
            for (String table : List.of("events", "personal_values", "identifiers", "subject_keys", "field_values"))
                assertThat(lethe.count("select count(*) from " + table + " t where t.subject_id is not null"
                                + " and not exists (select 1 from subjects s where s.account_id = t.account_id"
                                + " and s.subject_id = t.subject_id)"))
                        .as("rows of %s that refer to a subject merged away", table)
                        .isZero();
            assertThat(lethe.count("select count(*) from events where type = 'fresh'"))
                    .as("fresh events kept")
                    .isEqualTo((long) people * freshPerPerson);
            assertThat(lethe.count("select count(*) from personal_values where category = 'email_address'"))
                    .as("emails kept")
                    .isEqualTo(emails);
            assertThat(lethe.count("select count(*) from personal_values where category = 'ip_address'"))
                    .as("only the fresh IP addresses left")
                    .isEqualTo(freshIps);
            assertThat(lethe.count("select count(*) from events where type = 'old'"))
                    .as("expired events left")
                    .isZero();
            assertThat(Sweeping.sweep(http, a.adminKey())
                            .get("totals")
                            .get("affected")
                            .asLong())
                    .as("nothing left for a second sweep")
                    .isZero();
        }
    }

    private static void track(Http http, String key, List<String> events) {
        var r = http.post("/v1/track", key, "{\"events\": [" + String.join(",", events) + "]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(events.size());
    }
}
