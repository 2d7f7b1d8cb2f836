package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ids are uuids in the database. A text that is not one, wherever an id is expected, names
 * nothing: the resource's own 404 or the field's error, never a 500 from the database refusing
 * to compare it with a uuid column.
 */
class IdsInInputTest {

    private static final String[] NOT_IDS = {
        "zebulon", "sub_k3j4", "00000000-0000-0000-0000-00000000000g", "'; drop table x"
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTextThatIsNotAnIdNamesNothingWhereverAnIdIsExpected(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            for (String text : NOT_IDS) {
                String path = text.replace(" ", "%20").replace("'", "%27").replace(";", "%3B");
                expect(http.get("/v1/profiles/" + path, a.adminKey()), 404);
                expect(http.post("/v1/profiles/" + path + "/tags", a.adminKey(), "{\"add\": [\"vip\"]}"), 404);
                expect(
                        http.post("/v1/profiles/" + profile + "/merge", a.adminKey(), "{\"from\": \"" + text + "\"}"),
                        422);
                expect(http.delete("/v1/goals/" + path, a.adminKey()), 404);
                expect(http.get("/public/" + path + "/notices/retention", null), 404);
                expect(
                        http.post(
                                "/v1/accounts/" + path + "/contract",
                                TestLethe.OPERATOR_KEY,
                                "{\"endedAt\": \"2026-01-01T00:00:00Z\"}"),
                        404);
                String cursor = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("lastVisit|2026-01-01T00:00:00Z||" + text).getBytes());
                expect(http.get("/v1/profiles?cursor=" + cursor, a.adminKey()), 400);
                var sent = http.post("/v1/messages", a.adminKey(), """
                        {"messages": [{"subject": {"profileId": "%s"}, "channel": "sms", "direction": "outbound", "content": "hi"}]}
                        """.formatted(text.replace("'", "")));
                assertThat(sent.status()).as(sent.toString()).isIn(202, 422);
            }
            assertThat(http.get("/v1/profiles/" + profile, a.adminKey()).status())
                    .isEqualTo(200);
        }
    }

    private static void expect(Http.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }
}
