package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestCli;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code lethe audit verify} while a server holds the embedded database, and the verify route it asks. */
class AuditVerifyWhileServingTest {

    @Test
    void whileAServerHoldsTheEmbeddedDatabaseTheCommandSaysWhatToDoAndCanAskTheServer(@TempDir Path tmp)
            throws IOException {
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        try (var server = ServerProcess.start(dataDir, Optional.empty())) {
            var created = server.http().post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Quokka\"}");
            assertThat(created.status()).isEqualTo(201);
            String account = created.json().get("id").asText();
            Path operatorKey = Files.writeString(tmp.resolve("operator.key"), ServerProcess.OPERATOR_KEY + "\n");
            Path adminKey = Files.writeString(
                    tmp.resolve("admin.key"), created.json().get("adminKey").asText());
            String url = "http://127.0.0.1:" + server.port();

            var local = TestCli.lethe("audit", "verify", "--data-dir", dataDir.toString());

            assertThat(local.exit()).as(local.toString()).isEqualTo(2);
            assertThat(local.err())
                    .contains("open in a running Lethe server")
                    .contains("--server http://127.0.0.1:8080")
                    .contains("curl -s -H \"Authorization: Bearer $(cat ")
                    .contains("/v1/audit/verify")
                    .doesNotContain("Exception", "\tat ", "server mode");
            assertThat(local.err().strip().lines()).hasSize(1);

            var remote = TestCli.lethe(
                    "audit",
                    "verify",
                    "--data-dir",
                    dataDir.toString(),
                    "--server",
                    url,
                    "--key-file",
                    operatorKey.toString());

            assertThat(remote.exit()).as(remote.toString()).isZero();
            assertThat(remote.out()).contains("intact  platform: ").contains("intact  " + account + ": ");

            var one = TestCli.lethe(
                    "audit", "verify", "--server", url, "--key-file", operatorKey.toString(), "--account", account);
            assertThat(one.exit()).as(one.toString()).isZero();
            assertThat(one.out().strip().lines()).hasSize(1);
            assertThat(one.out()).startsWith("intact  " + account + ": ");

            var asAdmin = TestCli.lethe("audit", "verify", "--server", url, "--key-file", adminKey.toString());
            assertThat(asAdmin.exit()).as(asAdmin.toString()).isZero();
            assertThat(asAdmin.out()).startsWith("intact  this key's account: ");
            assertThat(asAdmin.out().strip().lines()).hasSize(1);

            var adminElsewhere = TestCli.lethe(
                    "audit", "verify", "--server", url, "--key-file", adminKey.toString(), "--account", "platform");
            assertThat(adminElsewhere.exit()).isEqualTo(2);
            assertThat(adminElsewhere.err()).contains("403");

            var wrongKey = TestCli.lethe(
                    "audit",
                    "verify",
                    "--server",
                    url,
                    "--key-file",
                    Files.writeString(tmp.resolve("wrong.key"), "lethe_nobody_0123456789abcdef0123")
                            .toString());
            assertThat(wrongKey.exit()).isEqualTo(2);
            assertThat(wrongKey.err()).contains("401").doesNotContain("lethe_nobody");

            var noKeyFile = TestCli.lethe("audit", "verify", "--data-dir", dataDir.toString(), "--server", url);
            assertThat(noKeyFile.exit()).isEqualTo(2);
            assertThat(noKeyFile.err()).contains("--key-file");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anOperatorKeyChecksAnyAccountsChainAndAnAdminKeyOnlyItsOwn(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            String op = TestLethe.OPERATOR_KEY;

            var asOperator = http.get("/v1/audit/verify?account=" + a.id(), op);
            var asAdmin = http.get("/v1/audit/verify", a.adminKey());

            assertThat(asOperator.status()).as(asOperator.toString()).isEqualTo(200);
            assertThat(asOperator.json().get("head")).isEqualTo(asAdmin.json().get("head"));
            assertThat(http.get("/v1/audit/verify?account=platform", op).json().get("head"))
                    .isEqualTo(http.get("/v1/audit/verify", op).json().get("head"));
            assertThat(http.get("/v1/audit/verify?account=" + a.id(), a.adminKey())
                            .status())
                    .isEqualTo(200);
            assertThat(http.get("/v1/audit/verify?account=" + b.id(), a.adminKey())
                            .status())
                    .isEqualTo(403);
            assertThat(http.get("/v1/audit/verify?account=0190a5b2-0000-7000-8000-000000000000", op)
                            .status())
                    .isEqualTo(404);
            assertThat(http.get("/v1/audit/verify?account=not-an-id", op).status())
                    .isEqualTo(404);
        }
    }
}
