package dev.lethe.http;

import static dev.lethe.http.QueryParametersTest.paths;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Paging is one contract on every paged route: the answer's {@code nextCursor} (null on the last
 * page) goes back as the {@code cursor} parameter, with the same filters; a cursor of another
 * query, an altered one or a made-up one is a 400 naming {@code cursor}, never a 500 and never
 * page 1.
 */
class PagingTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void profilesAndTheAuditLogArePagedByNextCursorPassedBackAsCursor(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            var identified = new ArrayList<String>();
            for (String email : List.of("zebulon@example.org", "yolanda@example.org", "xavier@example.org")) {
                identified.add(identify(http, a.adminKey(), email));
            }

            var profiles = walk(http, a.adminKey(), "/v1/profiles?limit=1", "profiles");
            var entries = walk(http, a.adminKey(), "/v1/audit?limit=1&action=policy.change", "entries");
            var wider = http.get("/v1/profiles?limit=2", a.adminKey()).json();
            var rest = http.get(
                    "/v1/profiles?limit=5&cursor=" + wider.get("nextCursor").asText(), a.adminKey());

            assertThat(profiles.stream().map(p -> p.get("id").asText()))
                    .containsExactlyInAnyOrderElementsOf(identified);
            assertThat(entries).hasSize(1);
            assertThat(wider.has("next")).isFalse();
            assertThat(rest.status()).as("the limit may change between pages").isEqualTo(200);
            assertThat(rest.json().get("profiles")).hasSize(1);
            assertThat(rest.json().get("nextCursor").isNull()).isTrue();
            assertThat(http.get("/v1/profiles?limit=1&cursor=", a.adminKey()).json())
                    .as("an empty cursor is the first page")
                    .isEqualTo(http.get("/v1/profiles?limit=1", a.adminKey()).json());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aCursorOfAnotherQueryOrAnAlteredOneIsA400NamingCursor(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            for (String email : List.of("zebulon@example.org", "yolanda@example.org", "xavier@example.org")) {
                identify(http, a.adminKey(), email);
            }
            lethe.createKey(a.adminKey(), "read");
            lethe.createKey(a.adminKey(), "read");
            String profiles = http.get("/v1/profiles?limit=1", a.adminKey())
                    .json()
                    .get("nextCursor")
                    .asText();
            String audit = http.get("/v1/audit?limit=1", a.adminKey())
                    .json()
                    .get("nextCursor")
                    .asText();

            for (var r : List.of(
                    http.get("/v1/profiles?limit=1&lastVisitWithin=P30D&cursor=" + profiles, a.adminKey()),
                    http.get("/v1/profiles?limit=1&sort=firstVisit&cursor=" + profiles, a.adminKey()),
                    http.get("/v1/profiles?limit=1&email=zebulon@example.org&cursor=" + profiles, a.adminKey()),
                    http.get("/v1/profiles?limit=1&cursor=" + altered(profiles), a.adminKey()),
                    http.get("/v1/profiles?limit=1&cursor=" + audit, a.adminKey()),
                    http.get("/v1/audit?limit=1&action=key.create&cursor=" + audit, a.adminKey()),
                    http.get("/v1/audit?limit=1&after=1&cursor=" + audit, a.adminKey()),
                    http.get("/v1/audit?limit=1&cursor=" + altered(audit), a.adminKey()),
                    http.get("/v1/audit?limit=1&cursor=" + profiles, a.adminKey()))) {
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(paths(r)).as(r.toString()).containsExactly("cursor");
                assertThat(r.json().at("/errors/0/message").asText()).contains("nextCursor");
            }
            var other = lethe.createAccount("Wombat");
            http.putYaml("/v1/policy", other.adminKey(), TestPolicies.DATA_CORE);
            for (var r : List.of(
                    http.get("/v1/profiles?limit=1&cursor=" + profiles, other.adminKey()),
                    http.get("/v1/audit?limit=1&cursor=" + audit, other.adminKey()))) {
                assertThat(r.status()).as("another account's cursor: " + r).isEqualTo(400);
                assertThat(paths(r)).containsExactly("cursor");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aForgedCursorWithATimeFarOutsideTheCalendarOrANulIsA400NotA500(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            identify(http, a.adminKey(), "zebulon@example.org");
            String id = UUID.randomUUID().toString();
            var forged = new ArrayList<String>();
            for (String plain : List.of(
                    "lastVisit|+1000000000-01-01T00:00:00Z||" + id,
                    "lastVisit|-1000000000-01-01T00:00:00Z||" + id,
                    "lastVisit|2026-01-01T00:00:00Z||" + id + "\u0000",
                    "\u0000",
                    "9223372036854775807",
                    "-1")) {
                forged.add(
                        Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
            }
            forged.addAll(List.of("%00", "abc%00", "%2B1000000000-01-01T00:00:00Z", "x".repeat(2000)));

            for (String cursor : forged) {
                for (var r : List.of(
                        http.get("/v1/profiles?cursor=" + cursor, a.adminKey()),
                        http.get("/v1/audit?cursor=" + cursor, a.adminKey()))) {
                    assertThat(r.status()).as(r.toString()).isEqualTo(400);
                    assertThat(paths(r)).as(r.toString()).containsExactly("cursor");
                }
            }
        }
    }

    /** Every row of a list, following nextCursor from the first page to the last. */
    private static List<JsonNode> walk(Http http, String key, String first, String rows) {
        var out = new ArrayList<JsonNode>();
        String path = first;
        for (int pages = 0; pages < 20; pages++) {
            var page = http.get(path, key);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get(rows).forEach(out::add);
            var next = page.json().get("nextCursor");
            assertThat(next).as("nextCursor is always in the answer").isNotNull();
            if (next.isNull()) return out;
            path = first + "&cursor=" + next.asText();
        }
        throw new AssertionError("more than 20 pages");
    }

    /** The same cursor with its position moved (its text decoded, one digit changed, encoded again). */
    private static String altered(String cursor) {
        String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int digit = plain.lastIndexOf('|') + 1;
        while (!Character.isDigit(plain.charAt(digit))) digit++;
        char changed = plain.charAt(digit) == '9' ? '8' : (char) (plain.charAt(digit) + 1);
        String moved = plain.substring(0, digit) + changed + plain.substring(digit + 1);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(moved.getBytes(StandardCharsets.UTF_8));
    }

    private static String identify(Http http, String key, String email) {
        var r = http.post("/v1/identify", key, """
                {"identifiers": {"email": "%s"}}
                """.formatted(email));
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }
}
