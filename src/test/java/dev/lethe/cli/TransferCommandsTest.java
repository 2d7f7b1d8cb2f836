package dev.lethe.cli;

import static dev.lethe.testing.TestCli.lethe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.jobs.Jobs;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lethe import}, {@code lethe export} and {@code lethe delete-bulk} against a running
 * server, as an operator would run them from a script: an import previewed (nothing changes), then
 * committed; an export written to a file only its owner reads, through the once-only link; a bulk
 * deletion that prints its receipt; every error with its row and column, and exit codes a script
 * can rely on.
 */
class TransferCommandsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void importPreviewsThenCommitsExportWritesAPrivateFileAndDeleteBulkPrintsItsReceipt(TestDatabase engine)
            throws Exception {
        try (var lethe = new TestLethe(
                engine, config -> config.withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            var a = lethe.createAccount("Wombat Imports");
            var put = lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.IMPORTS);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            String url = "http://127.0.0.1:" + lethe.lethe().port();
            Path csv = Files.writeString(dir.resolve("people.csv"), """
                    email,traits.firstName,fields.age
                    ada@cli.example,Ada,36
                    not-an-email,Bob,40
                    cy@cli.example,Cy,29
                    """);

            var preview = lethe("import", csv.toString(), "--url", url, "--key", a.adminKey(), "--progress", "lines");

            assertThat(preview.exit()).as(preview.toString()).isZero();
            assertThat(preview.out())
                    .contains("preview: 2 to create, 0 to update, 0 to clear, 0 unchanged, 1 with errors")
                    .contains("row 2, column email:")
                    .contains("nothing was changed: run again with --commit");
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isZero();

            var commit = lethe(
                    "import", csv.toString(), "--commit", "--url", url, "--key", a.adminKey(), "--progress", "lines");

            assertThat(commit.exit()).as(commit.toString()).isZero();
            assertThat(commit.out()).containsPattern("import \\S+ completed: 2 created, 0 updated, 0 cleared");
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(2);

            Path out = dir.resolve("export.csv");
            var export = lethe(
                    "export",
                    "-o",
                    out.toString(),
                    "--columns",
                    "id,identifiers.email,traits.firstName,field.age",
                    "--url",
                    url,
                    "--key",
                    a.adminKey(),
                    "--progress",
                    "lines");

            assertThat(export.exit()).as(export.toString()).isZero();
            assertThat(export.out()).contains("2 rows written to " + out);
            assertThat(Files.readString(out).lines().findFirst().orElseThrow()).contains("Age");
            assertThat(Files.readString(out)).contains("ada@cli.example,Ada,36").contains("cy@cli.example,Cy,29");
            assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(dir.resolve(".export.csv.part")).doesNotExist();

            Path ids = Files.writeString(dir.resolve("erase.csv"), "email\nada@cli.example\nnobody@cli.example\n");
            var deleted =
                    lethe("delete-bulk", ids.toString(), "--url", url, "--key", a.adminKey(), "--progress", "lines");

            assertThat(deleted.exit()).as(deleted.toString()).isZero();
            assertThat(deleted.out())
                    .containsPattern("bulk deletion \\S+ completed: 1 erased, 0 already erased, 1 not found")
                    .contains("row 2, column email: no such person")
                    .contains("receipt: rows deleted per table")
                    .containsPattern("(?m)^  subjects +1$");
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(1);

            // a script can tell a refusal (1) from a server it could not ask (2)
            var refused = lethe("import", csv.toString(), "--mode", "nope", "--url", url, "--key", a.adminKey());
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).contains("--mode must be ignore-empty or clear-empty");
            var badKey = lethe("delete-bulk", ids.toString(), "--url", url, "--key", a.adminKey() + "x");
            assertThat(badKey.exit()).as(badKey.toString()).isEqualTo(1);
            assertThat(badKey.err()).contains("(HTTP 401)").contains("the key was not accepted");
            var noServer = lethe("export", "-o", out.toString(), "--url", "http://127.0.0.1:1", "--key", a.adminKey());
            assertThat(noServer.exit()).as(noServer.toString()).isEqualTo(2);
            assertThat(noServer.err()).contains("no Lethe server is answering at http://127.0.0.1:1");
        }
    }
}
