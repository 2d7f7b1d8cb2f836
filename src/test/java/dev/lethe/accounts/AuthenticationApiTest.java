package dev.lethe.accounts;

import static dev.lethe.testing.TestLethe.keyIdOf;
import static dev.lethe.testing.TestLethe.secretOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import dev.lethe.testing.Http;
import dev.lethe.testing.MutableClock;
import dev.lethe.testing.SchemaConformance;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may call what: API keys, their scopes, revocation, and the bootstrap operator key. */
class AuthenticationApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRequestWithoutAKeyGets401ProblemJsonThatSaysHowToAuthenticate(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + lethe.lethe().port() + "/v1/policy"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(r.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWithIgnoringCase("Bearer"));
            assertThat(r.body()).contains("\"status\":401");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMalformedOrWrongKeyGets401(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            String keyId = keyIdOf(a.adminKey());

            var malformed = lethe.http().get("/v1/policy", "not a key at all");
            var wrongSecret = lethe.http().get("/v1/policy", "lethe_" + keyId + "_" + "a".repeat(32));
            var unknownId = lethe.http().get("/v1/policy", "lethe_nosuchkeyid00_" + secretOf(a.adminKey()));
            var emptyBearer = lethe.http().get("/v1/policy", "");

            for (var r : List.of(malformed, wrongSecret, unknownId, emptyBearer)) {
                assertThat(r.status()).as(r.toString()).isEqualTo(401);
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
            assertThat(lethe.http().get("/v1/account", a.adminKey()).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRevokedKeyGets401WhileTheAccountsOtherKeysStillWork(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var read = lethe.createKey(a.adminKey(), "read");
            assertThat(lethe.http().get("/v1/account", read.key()).status()).isEqualTo(200);

            var revoke = lethe.http().delete("/v1/keys/" + read.keyId(), a.adminKey());

            assertThat(revoke.status()).isEqualTo(204);
            assertThat(lethe.http().get("/v1/account", read.key()).status()).isEqualTo(401);
            assertThat(lethe.http().get("/v1/account", a.adminKey()).status()).isEqualTo(200);
            assertThat(lethe.keys(a.adminKey()))
                    .filteredOn(k -> k.get("keyId").asText().equals(read.keyId()))
                    .singleElement()
                    .satisfies(k -> assertThat(k.get("revokedAt").isNull()).isFalse());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aReadKeyMayReadThePolicyButNotChangeIt(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            assertThat(lethe.http()
                            .putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL)
                            .status())
                    .isEqualTo(201);
            String read = lethe.createKey(a.adminKey(), "read").key();

            var put = lethe.http().putYaml("/v1/policy", read, TestPolicies.SMALL.replace("P3Y", "P2Y"));

            assertThat(put.status()).isEqualTo(403);
            assertThat(put.contentType()).startsWith("application/problem+json");
            assertThat(lethe.http().get("/v1/policy", read).status()).isEqualTo(200);
            assertThat(lethe.policyVersions(read)).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anIngestKeyCannotReadThePolicy(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL);
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();

            var r = lethe.http().get("/v1/policy", ingest);

            assertThat(r.status()).isEqualTo(403);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body()).doesNotContain("Zebulon Shop BV");
            assertThat(lethe.http().get("/v1/policy/versions", ingest).status()).isEqualTo(403);
            assertThat(lethe.http().get("/v1/audit", ingest).status()).isEqualTo(403);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAdminKeyCannotCreateAccounts(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");

            var r = lethe.http().post("/v1/accounts", a.adminKey(), "{\"name\":\"Mallory Ltd\"}");

            assertThat(r.status()).isEqualTo(403);
            assertThat(r.contentType()).startsWith("application/problem+json");
            var accounts = lethe.http()
                    .get("/v1/accounts", TestLethe.OPERATOR_KEY)
                    .json()
                    .get("accounts");
            assertThat(accounts).extracting(x -> x.get("name").asText()).containsExactly("Zebulon");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAdminCannotCreateAnOperatorKey(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");

            var operatorOnly = lethe.http().post("/v1/keys", a.adminKey(), "{\"scopes\":[\"operator\"]}");
            var mixed = lethe.http().post("/v1/keys", a.adminKey(), "{\"scopes\":[\"read\",\"operator\"]}");

            assertThat(operatorOnly.status()).isEqualTo(403);
            assertThat(mixed.status()).isEqualTo(403);
            assertThat(operatorOnly.body()).doesNotContain("lethe_");
            assertThat(lethe.keys(a.adminKey())).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void readAndIngestKeysCannotMintKeysOrRevokeThem(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            String read = lethe.createKey(a.adminKey(), "read").key();
            String ingest = lethe.createKey(a.adminKey(), "ingest").key();

            for (String weak : List.of(read, ingest)) {
                assertThat(lethe.http()
                                .post("/v1/keys", weak, "{\"scopes\":[\"admin\"]}")
                                .status())
                        .isEqualTo(403);
                assertThat(lethe.http().get("/v1/keys", weak).status()).isEqualTo(403);
                assertThat(lethe.http()
                                .delete("/v1/keys/" + keyIdOf(a.adminKey()), weak)
                                .status())
                        .isEqualTo(403);
            }

            var keys = lethe.keys(a.adminKey());
            assertThat(keys)
                    .hasSize(3)
                    .allSatisfy(k -> assertThat(k.get("revokedAt").isNull()).isTrue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aKeyWithAnUnknownScopeIsRefusedNamingTheScope(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");

            var r = lethe.http().post("/v1/keys", a.adminKey(), "{\"scopes\":[\"superuser\",\"read\"]}");

            assertThat(r.status()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("errors"))
                    .extracting(e -> e.get("path").asText())
                    .containsExactly("scopes[0]");
            assertThat(r.json().at("/errors/0/message").asText()).contains("superuser");
            assertThat(lethe.keys(a.adminKey())).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theKeySecretIsNotStoredInPlaintext(TestDatabase engine) throws SQLException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            var created = lethe.createKey(a.adminKey(), "read");
            String key = created.key();
            String keyId = created.keyId();
            assertThat(key).isEqualTo("lethe_" + keyId + "_" + secretOf(key));

            for (String presented : List.of(key, a.adminKey())) {
                List<String> stored = rawKeyRow(lethe.jdbcUrl(), keyIdOf(presented));
                assertThat(stored)
                        .as("the api_keys row of " + keyIdOf(presented))
                        .isNotEmpty();
                assertThat(stored).noneMatch(v -> v.contains(presented) || v.contains(secretOf(presented)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void withoutAFixedBootstrapKeyTheFirstStartWritesAnOwnerOnlyKeyFileThatAuthenticatesAsOperator(
            TestDatabase engine, @TempDir Path tmp) throws IOException {
        Path dataDir = tmp.resolve("data");
        try (var db = engine.fresh()) {
            var config = new Lethe.Config(
                    dataDir,
                    db.settings(),
                    new HttpServer.Settings("127.0.0.1", 0, 200_000).withResponseCheck(new SchemaConformance()),
                    Optional.empty());
            var clock = new MutableClock(Instant.parse("2026-01-15T09:00:00Z"));
            String fromFile;
            try (var first = Lethe.start(config, clock, new SecureRandom())) {
                Path file = first.bootstrapKeyFile();
                assertThat(file).isEqualTo(Lethe.bootstrapKeyFile(dataDir, db.settings()));
                assertThat(file).exists();
                assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                fromFile = Files.readString(file).strip();
                assertThat(first.newBootstrapKey()).contains(fromFile);

                var http = new Http(first.port());
                assertThat(http.get("/v1/accounts", fromFile).status()).isEqualTo(200);
                assertThat(http.post("/v1/accounts", fromFile, "{\"name\":\"Zebulon\"}")
                                .status())
                        .isEqualTo(201);
                assertThat(http.get("/v1/accounts", "lethe_bootstrap_" + "b".repeat(32))
                                .status())
                        .isEqualTo(401);
            }

            try (var second = Lethe.start(config, clock, new SecureRandom())) {
                assertThat(second.newBootstrapKey()).isEmpty();
                assertThat(Files.readString(second.bootstrapKeyFile()).strip()).isEqualTo(fromFile);
                assertThat(new Http(second.port()).get("/v1/accounts", fromFile).status())
                        .isEqualTo(200);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aFixedBootstrapKeyAuthenticatesAsOperatorWhateverItLooksLike(TestDatabase engine, @TempDir Path tmp) {
        // Shaped like a generated key (lethe_<id>_<secret>) but chosen by the operator, e.g. in CI.
        String fixed = "lethe_ci_zebulon0123456789abcdefghij";
        try (var db = engine.fresh()) {
            var config = new Lethe.Config(
                    tmp.resolve("data"),
                    db.settings(),
                    new HttpServer.Settings("127.0.0.1", 0, 200_000).withResponseCheck(new SchemaConformance()),
                    Optional.of(fixed));
            try (var lethe =
                    Lethe.start(config, new MutableClock(Instant.parse("2026-01-15T09:00:00Z")), new SecureRandom())) {
                var http = new Http(lethe.port());

                assertThat(lethe.newBootstrapKey()).isEmpty();
                assertThat(http.get("/v1/accounts", fixed).status()).isEqualTo(200);
                assertThat(http.get("/v1/accounts", fixed + "x").status()).isEqualTo(401);
                assertThat(http.get("/v1/accounts", "lethe_ci_" + "y".repeat(28))
                                .status())
                        .isEqualTo(401);
                assertThat(lethe.bootstrapKeyFile()).doesNotExist();
            }
        }
    }

    /** Every column of one api_keys row, as text, read straight from the database. */
    static List<String> rawKeyRow(String jdbcUrl, String keyId) throws SQLException {
        var values = new ArrayList<String>();
        try (var c = DriverManager.getConnection(jdbcUrl);
                var s = c.prepareStatement("select * from api_keys where key_id = ?")) {
            s.setString(1, keyId);
            try (var rs = s.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) values.add(String.valueOf(rs.getString(i)));
                }
            }
        }
        return values;
    }
}
