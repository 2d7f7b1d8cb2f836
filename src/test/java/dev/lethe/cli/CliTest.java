package dev.lethe.cli;

import static dev.lethe.testing.TestCli.lethe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process as a user would type it; exit codes and what it prints. */
class CliTest {

    @TempDir
    Path dir;

    @Test
    void theExampleAdvocacyPolicyIsValid() {
        var run = lethe("policy", "validate", "examples/advocacy-platform.yaml");

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("examples/advocacy-platform.yaml: valid");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aPolicyWithSeveralMistakesExitsWith1AndPrintsOneLinePerErrorWithItsPath() throws IOException {
        Path file = write(
                "mistakes.yaml",
                TestPolicies.SMALL
                        .replace("period: P3Y", "period: three years")
                        .replace("lawfulBasis: legitimate_interests", "lawfulBasis: because")
                        .replace("    safeguards: [SCC]\n", "")
                        .replace("source: user_form", "source: user_form\n    colour: blue"));

        var run = lethe("policy", "validate", file.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains(file + ": 4 errors");
        var errorLines = run.out().lines().filter(l -> l.startsWith("  ")).toList();
        assertThat(errorLines).hasSize(4);
        assertThat(errorLines)
                .anySatisfy(l -> assertThat(l).startsWith("  categories.email_address.retention.period: "))
                .anySatisfy(l -> assertThat(l).startsWith("  categories.ip_address.lawfulBasis: "))
                .anySatisfy(l -> assertThat(l).startsWith("  processors[0].safeguards: "))
                .anySatisfy(l -> assertThat(l).startsWith("  categories.email_address.colour: "));
    }

    @Test
    void validatingAMissingFileFailsWithAMessageNamingIt() {
        Path missing = dir.resolve("no-such-policy.yaml");

        var run = lethe("policy", "validate", missing.toString());

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("no such file").contains(missing.toString());
        assertThat(run.err().lines().count()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void diffPrintsWhatWasAddedRemovedAndChangedAndWhichPeriodsGrewOrShrank() throws IOException {
        Path a = write("a.yaml", TestPolicies.SMALL);
        Path b = write("b.yaml", changedPolicy());

        var run = lethe("policy", "diff", a.toString(), b.toString());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("subjects:\n  + advocate")
                .contains("records:\n  - complete_session")
                .contains("  ~ ip_address")
                .contains("  categories.ip_address.retention.period: P120D -> P90D (shorter)")
                .contains("  categories.email_address.retention.period: P3Y -> P5Y (longer)")
                .contains("  records.complete_session.retention.period: P14D -> null (removed)");
    }

    @Test
    void diffOfTwoIdenticalPoliciesSaysSo() throws IOException {
        Path a = write("a.yaml", TestPolicies.SMALL);

        var run = lethe("policy", "diff", a.toString(), a.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualToIgnoringNewLines("No differences.");
    }

    @Test
    void diffWithJsonPrintsTheSameDiffAsJson() throws IOException {
        Path a = write("a.yaml", TestPolicies.SMALL);
        Path b = write("b.yaml", changedPolicy());

        var run = lethe("policy", "diff", "--json", a.toString(), b.toString());

        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode diff = new ObjectMapper().readTree(run.out());
        assertThat(diff.at("/sections/subjects/added/0").asText()).isEqualTo("advocate");
        assertThat(diff.at("/sections/records/removed/0").asText()).isEqualTo("complete_session");
        assertThat(diff.get("periods").findValuesAsText("direction")).contains("longer", "shorter", "removed");
    }

    @Test
    void diffOfAnInvalidPolicyFailsAndPointsToValidate() throws IOException {
        Path a = write("a.yaml", TestPolicies.SMALL);
        Path b = write("b.yaml", TestPolicies.SMALL.replace("period: P3Y", "period: forever"));

        var run = lethe("policy", "diff", a.toString(), b.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(b + " is not valid").contains("lethe policy validate");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveWithAPortThatIsNotANumberExitsWith2NamingTheFlagAndTheVariable() {
        Path dataDir = dir.resolve("data");

        var run = lethe("serve", "--port", "abc", "--data-dir", dataDir.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--port").contains("LETHE_PORT").contains("abc");
        assertThat(dataDir).doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveWithADatabaseUrlThatIsNotJdbcExitsWith2NamingTheFlagAndTheVariable() {
        Path dataDir = dir.resolve("data");

        var run = lethe("serve", "--db-url", "mysql://x", "--port", "0", "--data-dir", dataDir.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--db-url").contains("LETHE_DB_URL");
        assertThat(run.out()).doesNotContain("listening");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveWithASweepIntervalThatIsNotADurationExitsWith2NamingTheFlagAndTheVariable() {
        Path dataDir = dir.resolve("data");

        var run = lethe("serve", "--sweep-interval", "15m", "--port", "0", "--data-dir", dataDir.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err())
                .contains("--sweep-interval / LETHE_SWEEP_INTERVAL")
                .contains("ISO-8601")
                .contains("'15m'");
        assertThat(run.out()).doesNotContain("listening");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveWithASweepIntervalLongerThanADayExitsWith2NamingTheFlagTheVariableAndTheBounds() {
        Path dataDir = dir.resolve("data");

        var run = lethe("serve", "--sweep-interval", "P2D", "--port", "0", "--data-dir", dataDir.toString());

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err())
                .contains("--sweep-interval / LETHE_SWEEP_INTERVAL must be from PT1S to PT24H")
                .contains("'P2D'");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveWithAnExportLinkOfNoUsesAWrongLifetimeOrABulkDeletionBatchOutOfRangeExitsWith2NamingTheFlag() {
        Path dataDir = dir.resolve("data");

        var uses = lethe("serve", "--export-link-uses", "0", "--port", "0", "--data-dir", dataDir.toString());
        var ttl = lethe("serve", "--export-link-ttl", "24h", "--port", "0", "--data-dir", dataDir.toString());
        var batch = lethe("serve", "--bulk-deletion-batch", "5001", "--port", "0", "--data-dir", dataDir.toString());

        assertThat(uses.exit()).as(uses.toString()).isEqualTo(2);
        assertThat(uses.err())
                .contains("--export-link-uses / LETHE_EXPORT_LINK_USES must be a whole number from 1 to 100, not '0'");
        assertThat(ttl.exit()).as(ttl.toString()).isEqualTo(2);
        assertThat(ttl.err())
                .contains("--export-link-ttl / LETHE_EXPORT_LINK_TTL")
                .contains("'24h'");
        assertThat(batch.exit()).as(batch.toString()).isEqualTo(2);
        assertThat(batch.err())
                .contains("--bulk-deletion-batch / LETHE_BULK_DELETION_BATCH must be a whole number from 10 to 5000,"
                        + " not '5001'");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }

    @Test
    void theSweepIntervalIsAnIsoDurationFromOneSecondToOneDay() {
        assertThat(ServeCommand.sweepInterval("PT1S")).isEqualTo(Duration.ofSeconds(1));
        assertThat(ServeCommand.sweepInterval("PT15M")).isEqualTo(Duration.ofMinutes(15));
        assertThat(ServeCommand.sweepInterval(" P1D ")).isEqualTo(Duration.ofDays(1));
        for (String wrong : List.of("PT0S", "PT0.999S", "-PT5M", "PT24H0.001S", "P1DT1S")) {
            assertThatThrownBy(() -> ServeCommand.sweepInterval(wrong))
                    .as(wrong)
                    .isInstanceOf(SettingException.class)
                    .hasMessageContaining("--sweep-interval / LETHE_SWEEP_INTERVAL must be from PT1S to PT24H");
        }
        assertThatThrownBy(() -> ServeCommand.sweepInterval("every day"))
                .isInstanceOf(SettingException.class)
                .hasMessage("--sweep-interval / LETHE_SWEEP_INTERVAL must be an ISO-8601 duration such as PT15M,"
                        + " not 'every day'");
    }

    @Test
    void theSweepLeaseIsAnIsoDurationFromOneSecondToOneHour() {
        assertThat(ServeCommand.sweepLease("PT1S")).isEqualTo(Duration.ofSeconds(1));
        assertThat(ServeCommand.sweepLease("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ServeCommand.sweepLease(" PT1H ")).isEqualTo(Duration.ofHours(1));
        for (String wrong : List.of("PT0S", "PT0.5S", "-PT2M", "PT1H0.001S", "P1D")) {
            assertThatThrownBy(() -> ServeCommand.sweepLease(wrong))
                    .as(wrong)
                    .isInstanceOf(SettingException.class)
                    .hasMessageContaining("--sweep-lease / LETHE_SWEEP_LEASE must be from PT1S to PT1H");
        }
        assertThatThrownBy(() -> ServeCommand.sweepLease("two minutes"))
                .isInstanceOf(SettingException.class)
                .hasMessage("--sweep-lease / LETHE_SWEEP_LEASE must be an ISO-8601 duration such as PT2M,"
                        + " not 'two minutes'");
    }

    @Test
    void theJobPollIsAnIsoDurationFromATenthOfASecondToFiveMinutes() {
        assertThat(ServeCommand.jobPoll("PT0.1S")).isEqualTo(Duration.ofMillis(100));
        assertThat(ServeCommand.jobPoll(" PT10S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(ServeCommand.jobPoll("PT5M")).isEqualTo(Duration.ofMinutes(5));
        for (String wrong : List.of("PT0S", "PT0.05S", "-PT1S", "PT5M0.001S", "PT1H")) {
            assertThatThrownBy(() -> ServeCommand.jobPoll(wrong))
                    .as(wrong)
                    .isInstanceOf(SettingException.class)
                    .hasMessageContaining("--job-poll / LETHE_JOB_POLL must be from PT0.1S to PT5M");
        }
    }

    @Test
    void serveRefusesAPoolTooSmallForItsJobThreadsSayingHowLargeItMustBe() {
        assertThat(ServeCommand.connectionsNeeded(4)).isEqualTo(15);

        var run = lethe(
                "serve", "--data-dir", dir.toString(), "--port", "0", "--job-threads", "8", "--db-pool-size", "16");

        assertThat(run.exit()).as(run.toString()).isNotZero();
        assertThat(run.err())
                .contains("--db-pool-size / LETHE_DB_POOL_SIZE is 16: with --job-threads 8 it must be at least 27");
    }

    @Test
    void serveHelpShowsTheSweepIntervalWithItsVariableAndDefault() {
        var run = lethe("serve", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("--sweep-interval")
                .contains("LETHE_SWEEP_INTERVAL")
                .contains("PT15M");
    }

    @Test
    void withoutACommandLetheShowsItsCommands() {
        var run = lethe();

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Usage: lethe").contains("serve").contains("policy");
    }

    private static String changedPolicy() {
        return TestPolicies.SMALL
                .replace(
                        "  visitor: { description: \"Website visitors\" }\n",
                        "  visitor: { description: \"Website visitors\" }\n  advocate: { description: \"Community members\" }\n")
                .replace("period: P3Y", "period: P5Y")
                .replace("period: P120D", "period: P90D")
                .replace("  complete_session: { kind: session, retention: { period: P14D, then: summarise } }\n", "");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
