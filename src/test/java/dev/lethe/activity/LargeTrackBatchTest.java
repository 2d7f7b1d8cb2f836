package dev.lethe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lethe.storage.BinaryCopy;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A track batch well above {@link BinaryCopy#MIN_ROWS}, which PostgreSQL stores with COPY: every
 * event and value comes back as it went in, through the API and in the raw tables.
 */
class LargeTrackBatchTest {

    private static final int EVENTS = 200;

    /** An event type as odd as a name may be: letters beyond ASCII, spaces and every punctuation mark a name may hold. */
    private static final String ODD_TYPE = "Größe gewählt: ü/Ö-1_2.3";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBatchOfTwoHundredEventsIsStoredWholeAndReadsBackThroughTheProfile(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            Instant first = lethe.clock().instant().minus(Duration.ofMinutes(20));
            var events = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < EVENTS; i++) {
                // nanoseconds the database cannot keep: 500 rounds up, 499 down, as JDBC rounds them
                var ts = first.plusSeconds(i * 5L).plusNanos(i % 2 == 0 ? 500 : 499);
                var e = events.addObject()
                        .put("visitorId", "zebulon-laptop")
                        .put("type", i == 7 ? ODD_TYPE : "page_view")
                        .put("ts", ts.toString());
                e.putObject("context").put("ip", "203.0.113." + (i % 250)).put("url", "https://shop.example/p/" + i);
            }
            var body = JsonNodeFactory.instance.objectNode().set("events", events);

            var r = lethe.http().post("/v1/track", a.adminKey(), body.toString());

            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(EVENTS);
            var identified = lethe.http().post("/v1/identify", a.adminKey(), """
                    {"visitorId": "zebulon-laptop", "identifiers": {"email": "zebulon@example.org"}}
                    """);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            String profileId = identified.json().get("profileId").asText();
            // Joining the profile opened every value under the visitor's key and sealed it again
            // under the profile's: a ciphertext damaged on the way in would have failed here.
            var p = lethe.http().get("/v1/profiles/" + profileId, a.adminKey());
            assertThat(p.status()).as(p.toString()).isEqualTo(200);
            var profile = p.json();
            assertThat(profile.get("summary").get("events").asInt()).isEqualTo(EVENTS);
            assertThat(profile.get("visits")).hasSize(1);
            var visit = profile.get("visits").get(0);
            assertThat(visit.get("events").asInt()).isEqualTo(EVENTS);
            assertThat(visit.get("source").get("url").asText()).isEqualTo("https://shop.example/p/0");
            assertThat(Instant.parse(visit.get("startedAt").asText())).isEqualTo(first.plusNanos(1000));

            assertThat(lethe.count("select count(*) from events where account_id = ?", a.id()))
                    .isEqualTo(EVENTS);
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and record_kind = 'event'",
                            a.id()))
                    .isEqualTo(2L * EVENTS);
            assertThat(lethe.strings("select type from events where account_id = ? and type <> 'page_view'", a.id()))
                    .containsExactly(ODD_TYPE);
            // events (copied) and their session (bound by JDBC) agree to the microsecond
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ?"
                                    + " and occurred_at = (select min(started_at) from sessions where account_id = ?)",
                            a.id(),
                            a.id()))
                    .isEqualTo(1);
            assertThat(lethe.count("""
                            select count(*) from events e join personal_values v
                              on v.account_id = e.account_id and v.record_id = e.event_id
                            where e.account_id = ? and v.collected_at <> e.occurred_at
                            """, a.id())).isZero();
        }
    }
}
