package dev.lethe.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An objection to a purpose served on legitimate interests (GDPR Art. 21) over HTTP: new values
 * stop at once, and the next sweep deletes what was stored of that person for that purpose, under
 * the rule {@code objection.<purpose>} (its preview agreeing); other purposes and other people keep
 * theirs.
 */
class ObjectionSweepTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anObjectionSweepsWhatWasStoredForItsPurpose(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            ConsentApiTest.setUp(http, a.adminKey());
            for (String visitor : new String[] {"v-obj", "v-other"}) {
                var tracked = http.post("/v1/track", a.adminKey(), track(visitor));
                assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
            }
            long visits = visits(lethe);
            assertThat(visits).as("each visitor's url").isEqualTo(4);

            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            var objected = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"visitorId": "v-obj"}, "policyVersion": "v1",
                     "purposes": {"measurement": false}, "source": "preference-centre"}
                    """);
            assertThat(objected.status()).as(objected.toString()).isEqualTo(201);
            var after = http.post("/v1/track", a.adminKey(), track("v-obj"));
            assertThat(after.json().get("consent").get("dropped").asInt())
                    .as(after.toString())
                    .isEqualTo(1);
            assertThat(visits(lethe))
                    .as("nothing new, nothing gone before the sweep")
                    .isEqualTo(visits);

            long ips = ips(lethe);
            assertThat(ips).as("the objection is to measurement only").isEqualTo(3);
            var preview = http.post("/v1/sweeps", a.adminKey(), "{\"dryRun\": true}");
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(visits(lethe)).as("a preview changes nothing").isEqualTo(visits);
            var sweep = http.post("/v1/sweeps", a.adminKey(), "{}");
            assertThat(sweep.status()).as(sweep.toString()).isEqualTo(200);
            assertThat(ConsentApiTest.rule(sweep.json(), "objection.measurement")
                            .get("affected")
                            .asLong())
                    .isEqualTo(visits / 2);
            assertThat(ConsentApiTest.rule(sweep.json(), "objection.security")
                            .get("affected")
                            .asLong())
                    .isZero();
            assertThat(ConsentApiTest.withoutTimes(preview.json()))
                    .isEqualTo(ConsentApiTest.withoutTimes(sweep.json()));
            assertThat(visits(lethe)).as("the other visitor's stays").isEqualTo(visits / 2);
            assertThat(ips(lethe)).as("another purpose stays").isEqualTo(ips);

            // a grant lifts the objection: values are stored again, and the next sweep keeps them
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"visitorId": "v-obj"}, "policyVersion": "v1",
                     "purposes": {"measurement": true}, "source": "preference-centre"}
                    """);
            http.post("/v1/track", a.adminKey(), track("v-obj"));
            long stored = visits(lethe);
            assertThat(stored).isGreaterThan(visits / 2);
            assertThat(http.post("/v1/sweeps", a.adminKey(), "{}").status()).isEqualTo(200);
            assertThat(visits(lethe)).isEqualTo(stored);
        }
    }

    static String track(String visitor) {
        return """
                {"events": [{"visitorId": "%s", "type": "page_view",
                             "context": {"url": "https://quokka.example/", "ip": "198.51.100.7"}}]}
                """.formatted(visitor);
    }

    static long visits(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'visit_history'");
    }

    static long ips(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'ip_address'");
    }
}
