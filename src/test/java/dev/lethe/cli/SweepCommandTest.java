package dev.lethe.cli;

import static dev.lethe.testing.TestCli.lethe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lethe sweep} against a running server with the advocacy seed's policy (an event's IP
 * address goes after 120 days, the event after 5 years): previews as of a date and under a proposed
 * policy show their counts and change nothing, a live sweep changes what it reports, and a wrong
 * key, date, policy or address is a clear message and a non-zero exit.
 */
class SweepCommandTest {

    static final String ADVOCACY = read("examples/advocacy-platform.yaml");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aDryRunAsOfADateAndUnderAProposedPolicyShowsItsCountsAndChangesNothingAndALiveSweepDoes(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), ADVOCACY).status())
                    .isEqualTo(201);
            person(http, a.adminKey(), "v-1", "one@example.org");
            person(http, a.adminKey(), "v-2", "two@example.org");
            String url = "http://127.0.0.1:" + lethe.lethe().port();
            long rows = rows(lethe);
            // the clock stands at 2026-01-15T09:00Z: on 17 May, 00:00 UTC, the IPs are 121 days old
            var preview = lethe("sweep", "--dry-run", "--as-of", "2026-05-17", "--url", url, "--key", a.adminKey());

            assertThat(preview.exit()).as(preview.toString()).isZero();
            assertThat(preview.out())
                    .startsWith("Preview as of 2026-05-17T00:00:00Z under policy version 1 (nothing was changed)")
                    .containsPattern("(?m)^RULE +ACTION +AFFECTED +DERIVED +HELD +HELD BY$")
                    .containsPattern("(?m)^categories\\.ip_address +delete +2 +0 +0 +-$")
                    .containsPattern("(?m)^records\\.platform_event +delete +0 +0 +0 +-$")
                    .containsPattern("(?m)^TOTAL +2 +0 +0$");
            assertThat(rows(lethe)).as("a preview changes nothing").isEqualTo(rows);
            assertThat(lethe.count("select count(*) from sweeps")).isZero();

            // a proposed policy keeping events 6 months: as of 1 September they go, with their values
            String shorter = ADVOCACY.replace(
                    "retention: { period: P5Y, after: collected }\n  message:",
                    "retention: { period: P6M, after: collected }\n  message:");
            assertThat(shorter).isNotEqualTo(ADVOCACY);
            Path proposed = Files.writeString(dir.resolve("shorter.yaml"), shorter);
            var json = lethe(
                    "sweep",
                    "--dry-run",
                    "--as-of",
                    "2026-09-01T00:00:00Z",
                    "--policy",
                    proposed.toString(),
                    "--url",
                    url,
                    "--key",
                    a.adminKey(),
                    "--json");

            assertThat(json.exit()).as(json.toString()).isZero();
            JsonNode report = new ObjectMapper().readTree(json.out());
            assertThat(report.get("status").asText()).isEqualTo("preview");
            assertThat(report.get("policyVersion").isNull()).isTrue();
            assertThat(rule(report, "records.platform_event").get("affected").asLong())
                    .isEqualTo(2);
            assertThat(rule(report, "records.platform_event").get("derived").asLong())
                    .as("each event's IP address and page went with it")
                    .isEqualTo(4);
            assertThat(rows(lethe)).as("a preview changes nothing").isEqualTo(rows);
            assertThat(lethe.count("select count(*) from sweeps")).isZero();

            // live, 121 days on: the IPs go and the sweep is recorded
            lethe.clock().set(lethe.clock().instant().plus(Duration.ofDays(121)));
            var live = lethe("sweep", "--url", url, "--key", a.adminKey());

            assertThat(live.exit()).as(live.toString()).isZero();
            assertThat(live.out())
                    .containsPattern("^Sweep [0-9a-f-]{36} succeeded as of 2026-05-16T09:00:00Z under policy version 1")
                    .containsPattern("(?m)^categories\\.ip_address +delete +2 +0 +0 +-$");
            assertThat(lethe.count("select count(*) from personal_values where category = 'ip_address'"))
                    .isZero();
            assertThat(lethe.count("select count(*) from events")).isEqualTo(2);
            assertThat(lethe.strings("select status from sweeps")).containsExactly("succeeded");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anOperatorKeyNamesTheAccountAndAHoldIsShownWithItsId(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), ADVOCACY);
            String held = person(http, a.adminKey(), "v-1", "one@example.org");
            person(http, a.adminKey(), "v-2", "two@example.org");
            String hold = http.post("/v1/legal-holds", a.adminKey(), """
                            {"profileId": "%s", "reason": "Dispute 2026-4"}
                            """.formatted(held))
                    .json()
                    .get("id")
                    .asText();
            String url = "http://127.0.0.1:" + lethe.lethe().port();

            var withoutAccount = lethe("sweep", "--dry-run", "--url", url, "--key", TestLethe.OPERATOR_KEY);
            assertThat(withoutAccount.exit()).as(withoutAccount.toString()).isEqualTo(1);
            assertThat(withoutAccount.err())
                    .contains("An operator names the account to sweep. (HTTP 422)")
                    .contains("  account: is required with an operator key");

            var preview = lethe(
                    "sweep",
                    "--dry-run",
                    "--as-of",
                    "2026-05-17",
                    "--account",
                    a.id(),
                    "--url",
                    url,
                    "--key",
                    TestLethe.OPERATOR_KEY);
            assertThat(preview.exit()).as(preview.toString()).isZero();
            assertThat(preview.out())
                    .containsPattern("(?m)^categories\\.ip_address +delete +1 +0 +1 +" + hold + " \\(1\\)$")
                    .containsPattern("(?m)^TOTAL +1 +0 +1$");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aBadKeyABadPolicyAndOptionsForAPreviewWithoutDryRunAreRefusedAndChangeNothing(TestDatabase engine)
            throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), ADVOCACY);
            person(http, a.adminKey(), "v-1", "one@example.org");
            String url = "http://127.0.0.1:" + lethe.lethe().port();
            long rows = rows(lethe);

            var badKey = lethe("sweep", "--url", url, "--key", "lethe_nobody_0123456789abcdef0123");
            assertThat(badKey.exit()).as(badKey.toString()).isEqualTo(1);
            assertThat(badKey.err()).contains("(HTTP 401)").contains("the key was not accepted");
            assertThat(badKey.out()).isEmpty();

            String readKey = lethe.createKey(a.adminKey(), "read").key();
            var readOnly = lethe("sweep", "--url", url, "--key", readKey);
            assertThat(readOnly.exit()).as(readOnly.toString()).isEqualTo(1);
            assertThat(readOnly.err()).contains("(HTTP 403)");

            Path bad = Files.writeString(
                    dir.resolve("bad.yaml"), ADVOCACY.replace("period: P120D", "period: four months"));
            var badPolicy =
                    lethe("sweep", "--dry-run", "--policy", bad.toString(), "--url", url, "--key", a.adminKey());
            assertThat(badPolicy.exit()).as(badPolicy.toString()).isEqualTo(1);
            assertThat(badPolicy.err())
                    .contains("(HTTP 422)")
                    .containsPattern("(?m)^  policy\\.categories\\.ip_address\\.retention\\.period: ");

            var liveAsOf = lethe("sweep", "--as-of", "2027-01-31", "--url", url, "--key", a.adminKey());
            assertThat(liveAsOf.exit()).as(liveAsOf.toString()).isEqualTo(2);
            assertThat(liveAsOf.err()).contains("--as-of is for a preview: add --dry-run");

            var noKey = lethe("sweep", "--dry-run", "--url", url, "--key", "");
            assertThat(noKey.exit()).as(noKey.toString()).isEqualTo(2);
            assertThat(noKey.err()).contains("--key / LETHE_KEY");

            assertThat(rows(lethe)).isEqualTo(rows);
            assertThat(lethe.count("select count(*) from sweeps")).isZero();
        }
    }

    @Test
    void aDateThatIsNotOneExitsWith2NamingTheOption() {
        var run = lethe("sweep", "--dry-run", "--as-of", "31/01/2027", "--key", "k");

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err())
                .contains("--as-of")
                .contains("'31/01/2027' is not a date (2027-01-31, meaning 00:00 UTC) or an instant");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aServerThatIsNotRunningIsNamedWithWhatToDo() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var run = lethe("sweep", "--dry-run", "--url", "http://127.0.0.1:" + port, "--key", "k");

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip())
                .isEqualTo("lethe: no Lethe server is answering at http://127.0.0.1:" + port
                        + " (connection refused): start one with 'lethe serve', or give its address with --url /"
                        + " LETHE_URL");
    }

    @Test
    void anAddressThatIsNotAnHttpUrlIsRefusedNamingTheOptionAndTheVariable() {
        var run = lethe("sweep", "--url", "127.0.0.1:8080", "--key", "k");

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--url / LETHE_URL").contains("'127.0.0.1:8080'");
    }

    /** Rows of the tables a sweep changes. */
    private static long rows(TestLethe lethe) {
        long n = 0;
        for (String table : List.of("personal_values", "events", "sessions", "subjects", "identifiers", "goal_hits"))
            n += lethe.count("select count(*) from " + table);
        return n;
    }

    static String person(Http http, String key, String visitor, String email) {
        var identified = http.post("/v1/identify", key, """
                {"visitorId": "%s", "subjectType": "advocate", "identifiers": {"email": "%s"}}
                """.formatted(visitor, email));
        assertThat(identified.status()).as(identified.toString()).isIn(200, 201);
        var tracked = http.post("/v1/track", key, """
                {"events": [{"visitorId": "%s", "type": "page_view",
                  "context": {"ip": "203.0.113.7"}, "properties": {"page": "/campaigns/7"}}]}
                """.formatted(visitor));
        assertThat(tracked.status()).as(tracked.toString()).isEqualTo(202);
        return identified.json().get("profileId").asText();
    }

    static JsonNode rule(JsonNode report, String name) {
        for (var r : report.get("rules")) if (r.get("rule").asText().equals(name)) return r;
        throw new AssertionError("no rule " + name + " in " + report);
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
