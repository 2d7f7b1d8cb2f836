package dev.lethe.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Sec-GPC: 1} over HTTP beyond track and identify: on messages it is recorded as the
 * objection to targeting and drops targeting values, as on track; on the ledger, an explicit grant
 * of targeting sent with it is the person's latest choice and stands (later GPC requests do not
 * undo it), while a consent that does not grant targeting records the objection.
 */
class GpcMessagesAndConsentsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void messagesHonourGpc(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            var http = lethe.http();
            // traffic data serves targeting here (on legitimate interests)
            String policy = Files.readString(Path.of("examples/messaging-platform.yaml"))
                    .replace("purpose: billing", "purpose: targeting");
            assertThat(http.putYaml("/v1/policy", a.adminKey(), policy).status())
                    .isEqualTo(201);
            var plain = http.post("/v1/messages", a.adminKey(), message("+32 471 00 00 01"));
            assertThat(plain.status()).as(plain.toString()).isEqualTo(202);
            long traffic = traffic(lethe);
            assertThat(traffic).as("stored without the header").isEqualTo(2);

            var gpc = http.post("/v1/messages", a.adminKey(), message("+32 471 00 00 02"), "Sec-GPC", "1");
            assertThat(gpc.status()).as(gpc.toString()).isEqualTo(202);
            assertThat(gpc.json().get("accepted").asInt()).isEqualTo(1);
            assertThat(gpc.json().get("consent").get("gpc").asBoolean()).isTrue();
            assertThat(gpc.json().get("consent").get("dropped").asInt()).isEqualTo(2);
            assertThat(traffic(lethe)).isEqualTo(traffic);
            assertThat(lethe.count("select count(*) from consents where source = 'gpc'"))
                    .isEqualTo(1);
            // the objection holds without the header
            var later = http.post("/v1/messages", a.adminKey(), message("+32 471 00 00 02"));
            assertThat(later.json().get("consent").get("dropped").asInt()).isEqualTo(2);
            assertThat(traffic(lethe)).isEqualTo(traffic);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anExplicitGrantSentWithGpcStandsAndOtherConsentsRecordTheObjection(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            ConsentApiTest.setUp(http, a.adminKey());

            // a banner answered with the signal on, targeting granted: the grant stands
            var granted = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"visitorId": "v-choice"}, "policyVersion": "v1",
                     "purposes": {"targeting": true}, "source": "banner"}
                    """, "Sec-GPC", "1");
            assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            var tracked = http.post(
                    "/v1/track",
                    a.adminKey(),
                    ConsentApiTest.track("v-choice", ConsentApiTest.INTEREST),
                    "Sec-GPC",
                    "1");
            assertThat(tracked.json().get("consent").get("dropped").asInt())
                    .as(tracked.toString())
                    .isZero();
            assertThat(ConsentApiTest.interests(lethe)).isEqualTo(1);
            assertThat(lethe.count("select count(*) from consents where source = 'gpc'"))
                    .as("no objection over the explicit grant")
                    .isZero();
            assertThat(http.post("/v1/sweeps", a.adminKey(), "{}").status()).isEqualTo(200);
            assertThat(ConsentApiTest.interests(lethe)).isEqualTo(1);

            // a consent on other purposes, with the signal on: the objection to targeting is recorded
            var other = http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"visitorId": "v-signal"}, "policyVersion": "v1",
                     "purposes": {"performance": true}, "source": "banner"}
                    """, "Sec-GPC", "1");
            assertThat(other.status()).as(other.toString()).isEqualTo(201);
            assertThat(lethe.count("select count(*) from consents where source = 'gpc'"))
                    .isEqualTo(1);
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            var dropped =
                    http.post("/v1/track", a.adminKey(), ConsentApiTest.track("v-signal", ConsentApiTest.INTEREST));
            assertThat(dropped.json().get("consent").get("dropped").asInt()).isEqualTo(1);

            // a grant given without the signal gives way to a later GPC request
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            http.post("/v1/consents", a.adminKey(), """
                    {"subject": {"visitorId": "v-signal"}, "policyVersion": "v1",
                     "purposes": {"targeting": true}, "source": "banner"}
                    """);
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofMinutes(1)));
            var objected = http.post(
                    "/v1/track",
                    a.adminKey(),
                    ConsentApiTest.track("v-signal", ConsentApiTest.INTEREST),
                    "Sec-GPC",
                    "1");
            assertThat(objected.json().get("consent").get("dropped").asInt()).isEqualTo(1);
            assertThat(lethe.count("select count(*) from consents where source = 'gpc'"))
                    .isEqualTo(2);
        }
    }

    static String message(String phone) {
        return """
                {"messages": [{"subject": {"phone": "%s"}, "channel": "email", "api": "smtp", "direction": "outbound",
                  "content": "Your order ships today", "status": "delivered",
                  "traffic": {"from": "shop@quokka.example", "to": "someone@example.org"}}]}
                """.formatted(phone);
    }

    static long traffic(TestLethe lethe) {
        return lethe.count("select count(*) from personal_values where category = 'traffic_data'");
    }
}
