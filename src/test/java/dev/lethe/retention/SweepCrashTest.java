package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sweep killed with SIGKILL in the middle leaves nothing half done, and the sweeps after it
 * finish the work with exact counts. The real server runs as a process of its own, with a two
 * second sweep lease so that a restarted server takes the account over at once. Its clock is the
 * real one, so the data is seeded in the past under a policy that keeps it a year, and a shorter
 * policy (the same rules, seven days for events, fifteen for complete sessions) is put in force
 * before sweeping: 12,000 visitors' events to anonymise, 1,000 members' events to delete, 40 of
 * the visitors' sessions to summarise.
 *
 * <p>The first sweep is killed once a few batches are committed, the second (on a restarted
 * server) likewise, the third finishes. After each kill the raw tables show no event that kept its
 * subject but lost its values, no anonymised event with values, no values of a deleted event, and
 * no session half summarised. In the end the killed sweeps are {@code interrupted}, and each
 * rule's counts added over the three sweeps equal those of a preview taken before the first: what
 * one uninterrupted sweep would have done, nothing counted twice.
 */
class SweepCrashTest {

    private static final Map<String, String> SHORT_LEASE = Map.of("LETHE_SWEEP_LEASE", "PT2S");
    private static final int VISITORS = 96;
    private static final int EVENTS_PER_VISITOR = 125;
    private static final int MEMBERS = 20;
    private static final int EVENTS_PER_MEMBER = 50;
    /** A sweep is killed once this many rows are counted as affected in it. */
    private static final int KILL_AFTER = 2000;

    private static final String POLICY = """
            lethe: 1
            controller: { name: "Kestrel Shop BV", contact: "privacy@kestrel.example" }
            subjects:
              visitor: { description: "Anonymous website visitors" }
              member: { description: "Signed-up members" }
            categories:
              email_address:
                purpose: identification
                lawfulBasis: contract
                source: user_form
                subjects: [member]
                retention: { period: P3Y, after: collected }
              ip_address:
                purpose: security
                lawfulBasis: legitimate_interests
                source: tracking
                subjects: [visitor, member]
                retention: { period: P1Y }
            fields:
              traits.email: email_address
              context.ip: ip_address
            records:
              member_event: { kind: event, match: { subject: [member] }, retention: { period: EVENTS, then: delete } }
              visit_event: { kind: event, retention: { period: EVENTS, then: anonymise } }
              complete_session: { kind: session, retention: { period: SESSIONS, then: summarise } }
              session_summary: { kind: session_summary, retention: { period: P2Y } }
            """;

    private static final String KEEP_A_YEAR = POLICY.replace("EVENTS", "P1Y").replace("SESSIONS", "P1Y");
    private static final String SHORTER = POLICY.replace("EVENTS", "P7D").replace("SESSIONS", "P15D");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aSweepKilledTwiceLeavesNothingHalfDoneAndTheNextFinishesItWithExactCounts(TestDatabase engine)
            throws Exception {
        try (var installation = Installation.on(engine)) {
            String key;
            JsonNode preview;
            String first;
            try (var server = installation.start(SHORT_LEASE)) {
                key = seed(server.http());
                var shorter = server.http().putYaml("/v1/policy", key, SHORTER);
                assertThat(shorter.status()).as(shorter.toString()).isEqualTo(201);
                var dry = server.http().post("/v1/sweeps", key, "{\"dryRun\": true}");
                assertThat(dry.status()).as(dry.toString()).isEqualTo(200);
                preview = dry.json();
                assertThat(Sweeping.affected(preview, "records.member_event")).isEqualTo(MEMBERS * EVENTS_PER_MEMBER);
                assertThat(Sweeping.affected(preview, "records.visit_event")).isEqualTo(VISITORS * EVENTS_PER_VISITOR);
                assertThat(Sweeping.affected(preview, "records.complete_session"))
                        .isEqualTo(summarisedSessions());
                first = killMidSweep(server, key, null);
            }
            assertNothingHalfDone(installation, "after the first kill");

            String second;
            try (var server = installation.start(SHORT_LEASE)) {
                second = killMidSweep(server, key, first);
            }
            assertNothingHalfDone(installation, "after the second kill");

            JsonNode sweeps;
            try (var server = installation.start(SHORT_LEASE)) {
                var last = sweepWhenFree(server.http(), key);
                assertThat(last.status()).as(last.toString()).isEqualTo(200);
                assertThat(last.json().get("status").asText()).isEqualTo("succeeded");
                sweeps = server.http().get("/v1/sweeps", key).json().get("sweeps");
                var again = server.http().post("/v1/sweeps", key, "{\"dryRun\": true}");
                assertThat(again.json().get("totals").get("affected").asLong())
                        .as("nothing is left to sweep: %s", again)
                        .isZero();
                server.stop(); // the embedded H2 file can be read only once no server holds it
            }
            assertNothingHalfDone(installation, "at the end");

            var softly = new SoftAssertions();
            softly.assertThat(sweeps).hasSize(3);
            softly.assertThat(statusOf(sweeps, first)).isEqualTo("interrupted");
            softly.assertThat(statusOf(sweeps, second)).isEqualTo("interrupted");
            softly.assertThat(sweeps.get(0).get("status").asText()).isEqualTo("succeeded");
            softly.assertThat(countsPerRule(sweeps))
                    .as("each rule's counts over the three sweeps equal the preview's (one uninterrupted sweep)")
                    .isEqualTo(countsPerRule(List.of(preview)));
            int kept = VISITORS * EVENTS_PER_VISITOR - summarisedSessions() * EVENTS_PER_VISITOR;
            softly.assertThat(installation.strings("select count(*) from events where subject_id is null"))
                    .as("the visitors' events outside summarised sessions, anonymised")
                    .containsExactly(String.valueOf(kept));
            softly.assertThat(installation.strings("select count(*) from events"))
                    .containsExactly(String.valueOf(kept));
            softly.assertThat(installation.strings("select count(*) from personal_values where record_kind = 'event'"))
                    .containsExactly("0");
            softly.assertThat(installation.strings("select count(*) from sessions where rule_kind = 'session_summary'"))
                    .containsExactly(String.valueOf(summarisedSessions()));
            softly.assertThat(installation.strings(
                            "select count(*) from personal_values where category = 'email_address'"))
                    .as("the members' emails live three years")
                    .containsExactly(String.valueOf(MEMBERS));
            softly.assertAll();
        }
    }

    /** The visitors' sessions started more than 15 days ago: those whose day offset is 7 to 11. */
    private static int summarisedSessions() {
        int n = 0;
        for (int v = 0; v < VISITORS; v++) if (8 + v % 12 >= 15) n++;
        return n;
    }

    /**
     * Members (identified, their events deleted after 7 days) and visitors (their events
     * anonymised), each with one session of events a minute apart, 8.5 to 19.5 days ago: never near
     * a cut-off of the shorter policy, so a preview now and the sweeps seconds later see the same.
     */
    private static String seed(Http http) {
        var account = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Kestrel\"}");
        assertThat(account.status()).as("%s", account).isEqualTo(201);
        String key = account.json().get("adminKey").asText();
        var policy = http.putYaml("/v1/policy", key, KEEP_A_YEAR);
        assertThat(policy.status()).as("%s", policy).isBetween(200, 201);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var members = new ArrayList<String>();
        for (int m = 0; m < MEMBERS; m++) {
            var identified = http.post("/v1/identify", key, """
                    {"visitorId": "m-%d", "subjectType": "member", "identifiers": {"email": "member%d@example.org"}}
                    """.formatted(m, m));
            assertThat(identified.status()).as(identified.toString()).isIn(200, 201);
            Instant start = now.minus(Duration.ofHours(12 + 24 * (9 + m % 5)));
            for (int e = 0; e < EVENTS_PER_MEMBER; e++) members.add(event("m-" + m, start.plus(Duration.ofMinutes(e))));
        }
        track(http, key, members);
        var batch = new ArrayList<String>();
        for (int v = 0; v < VISITORS; v++) {
            Instant start = now.minus(Duration.ofHours(12 + 24 * (8 + v % 12)));
            for (int e = 0; e < EVENTS_PER_VISITOR; e++) batch.add(event("v-" + v, start.plus(Duration.ofMinutes(e))));
            if (batch.size() == 1000) {
                track(http, key, batch);
                batch.clear();
            }
        }
        assertThat(batch).isEmpty();
        return key;
    }

    private static String event(String visitor, Instant ts) {
        return """
                {"visitorId": "%s", "type": "page_view", "ts": "%s", "context": {"ip": "203.0.113.%d"}}""".formatted(visitor, ts, ts.getEpochSecond() / 60 % 250);
    }

    private static void track(Http http, String key, List<String> events) {
        var r = http.post("/v1/track", key, "{\"events\": [" + String.join(",", events) + "]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(events.size());
    }

    /**
     * Starts a live sweep (once the lease of a killed one has run out) and kills the server with
     * SIGKILL once it has committed {@link #KILL_AFTER} rows; returns the killed sweep's id.
     */
    private static String killMidSweep(ServerProcess server, String key, String previous) throws Exception {
        var call = CompletableFuture.supplyAsync(() -> sweepWhenFree(server.http(), key));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(call.isDone())
                    .as("the sweep ended before it could be killed: %s", call.isDone() ? call.join() : null)
                    .isFalse();
            var newest = server.http().get("/v1/sweeps?limit=1", key).json().get("sweeps");
            if (!newest.isEmpty()) {
                var sweep = newest.get(0);
                String id = sweep.get("id").asText();
                if (!id.equals(previous)
                        && sweep.get("status").asText().equals("running")
                        && sweep.get("totals").get("affected").asLong() >= KILL_AFTER) {
                    server.kill();
                    call.handle((r, e) -> null).get();
                    return id;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the sweep did not get going");
    }

    /** POST /v1/sweeps, again while the lease of a sweep killed a moment ago holds (409). */
    private static Http.Response sweepWhenFree(Http http, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            var r = http.post("/v1/sweeps", key, "{}");
            if (r.status() != 409 || System.nanoTime() > deadline) return r;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
    }

    /** Reads the raw tables (no server runs) for anything a sweep did half. */
    private static void assertNothingHalfDone(Installation installation, String when) {
        var softly = new SoftAssertions();
        softly.assertThat(installation.strings("""
                        select count(*) from events e where e.subject_id is not null
                          and not exists (select 1 from personal_values v
                                          where v.account_id = e.account_id and v.record_id = e.event_id)
                        """))
                .as("%s: events that kept their subject but lost their values", when)
                .containsExactly("0");
        softly.assertThat(installation.strings("""
                        select count(*) from events e where e.subject_id is null
                          and exists (select 1 from personal_values v
                                      where v.account_id = e.account_id and v.record_id = e.event_id)
                        """))
                .as("%s: anonymised events that still have personal values", when)
                .containsExactly("0");
        softly.assertThat(installation.strings("""
                        select count(*) from personal_values v where v.record_kind = 'event'
                          and not exists (select 1 from events e
                                          where e.account_id = v.account_id and e.event_id = v.record_id)
                        """))
                .as("%s: values of deleted events", when)
                .containsExactly("0");
        softly.assertThat(installation.strings("""
                        select count(*) from sessions s where s.rule_kind = 'session_summary'
                          and exists (select 1 from events e
                                      where e.account_id = s.account_id and e.session_id = s.session_id)
                        """))
                .as("%s: summarised sessions that kept logged events", when)
                .containsExactly("0");
        softly.assertThat(installation.strings("""
                        select count(*) from sessions s
                        where s.rule_kind = 'complete_session'
                          and s.subject_id in (select subject_id from subjects where subject_type = 'visitor')
                          and s.event_count <> (select count(*) from events e
                                                where e.account_id = s.account_id and e.session_id = s.session_id)
                        """))
                .as("%s: complete visitor sessions that lost some of their events", when)
                .containsExactly("0");
        softly.assertAll();
    }

    private static String statusOf(JsonNode sweeps, String id) {
        for (var s : sweeps)
            if (s.get("id").asText().equals(id)) return s.get("status").asText();
        throw new AssertionError("no sweep " + id + " in " + sweeps);
    }

    /** Each rule's affected and derived, added over these sweeps' reports (rules with none left out). */
    private static Map<String, List<Long>> countsPerRule(Iterable<JsonNode> reports) {
        var out = new LinkedHashMap<String, List<Long>>();
        for (var report : reports) {
            for (var r : report.get("rules")) {
                long affected = r.get("affected").asLong();
                long derived = r.get("derived").asLong();
                if (affected == 0 && derived == 0) continue;
                out.merge(
                        r.get("rule").asText(),
                        List.of(affected, derived),
                        (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
            }
        }
        return new java.util.TreeMap<>(out);
    }
}
