package dev.lethe.audit;

import static dev.lethe.audit.AuditChainTest.fourChanges;
import static dev.lethe.audit.AuditChainTest.problems;
import static dev.lethe.audit.AuditChainTest.tamper;
import static dev.lethe.audit.AuditChainTest.verify;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import dev.lethe.storage.DatabaseSettings;
import dev.lethe.testing.SchemaConformance;
import dev.lethe.testing.TestCli;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 4: the chain is keyed (an HMAC under a key the database holds only wrapped by the master
 * key), so write access to the database alone can neither re-hash an edited chain nor slip in an
 * entry; and entries written but not chained before a crash are chained at the next start.
 */
class KeyedChainTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEntryEditedAndRehashedWithPlainSha256ByADatabaseWriterIsNamed(TestDatabase engine) throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String account = h.zebulon().id();

            // What someone with write access to the database, and nothing else, can do: edit entry 2,
            // then recompute every hash from there on and move the head, as an unkeyed chain allows.
            tamper(lethe, "update audit_log set actor = 'mallory' where account_id = '" + account + "' and seq = 2");
            rehashWithPlainSha256(lethe.jdbcUrl(), account, 2);

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(problems(v))
                    .contains("2: content does not match its hash (edited)")
                    .doesNotContain("1: content does not match its hash (edited)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPendingEntryForgedInTheDatabaseIsRefusedNamedAndTheRefusalIsChained(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String account = h.zebulon().id();
            String content = "2026-01-15T13:00:00Z|" + h.adminKeyId() + "|key.create";

            tamper(
                    lethe,
                    "insert into audit_log (account_id, entry_id, at, actor, source, action, targets, outcome, detail, seal)"
                            + " values ('" + account
                            + "', '0f0f0f0f-dead-4bad-8bad-f0f0f0f0f0f0', timestamp with time zone '2026-01-15 13:00:00+00', '"
                            + h.adminKeyId() + "', '127.0.0.1', 'key.create', '[\"key:mallory\"]', 'ok', '{}', '"
                            + sha256(content) + "')");

            var v = verify(lethe, h);
            var listed =
                    lethe.http().get("/v1/audit", h.zebulon().adminKey()).json().get("entries");

            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(v.get("pending").asLong()).isZero();
            assertThat(v.get("problems")).singleElement().satisfies(p -> {
                assertThat(p.get("entry").asText()).isEqualTo("0f0f0f0f-dead-4bad-8bad-f0f0f0f0f0f0");
                assertThat(p.get("reason").asText()).contains("refused", "seal does not match");
            });
            assertThat(v.get("entries").asLong()).isEqualTo(5);
            assertThat(listed.toString()).doesNotContain("key:mallory");
            var refusal = listed.get(4);
            assertThat(refusal.get("seq").asLong()).isEqualTo(5);
            assertThat(refusal.get("action").asText()).isEqualTo("audit.refuse");
            assertThat(refusal.get("targets").toString()).isEqualTo("[\"audit:0f0f0f0f-dead-4bad-8bad-f0f0f0f0f0f0\"]");
            assertThat(lethe.count(
                            "select count(*) from audit_log where entry_id = '0f0f0f0f-dead-4bad-8bad-f0f0f0f0f0f0' and seq is null"
                                    + " and refused_at is not null"))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void entriesACrashLeftWrittenButNotChainedAreChainedWhenTheServerStartsAgain(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String account = h.zebulon().id();
            String third = lethe.strings("select hash from audit_log where account_id = ? and seq = 3", account)
                    .get(0);
            lethe.lethe().close(); // the server stops: nothing chains any more
            // As a crash between the commit of entry 4 and its chaining leaves it: written, sealed,
            // without a place in the chain.
            tamper(
                    lethe,
                    "update audit_log set seq = null, prev_hash = null, hash = null where account_id = '" + account
                            + "' and seq = 4");
            tamper(
                    lethe,
                    "update audit_heads set seq = 3, hash = '" + third + "' where account_id = '" + account + "'");
            var crashed = cliVerify(lethe, account);

            try (var restarted = Lethe.start(
                    new Lethe.Config(
                            lethe.dataDir(),
                            new DatabaseSettings(lethe.jdbcUrl(), null, null, 4),
                            new HttpServer.Settings("127.0.0.1", 0, 200_000).withResponseCheck(new SchemaConformance()),
                            Optional.of(TestLethe.OPERATOR_KEY)),
                    lethe.clock(),
                    new SecureRandom())) {
                var after = cliVerify(lethe, account);

                assertThat(crashed.exit()).as(crashed.toString()).isZero();
                assertThat(crashed.out()).contains("intact  " + account + ": 3 entries, 1 pending");
                assertThat(after.exit()).as(after.toString()).isZero();
                assertThat(after.out()).contains("intact  " + account + ": 4 entries, 0 pending, head 4");
            }
        }
    }

    static TestCli.Run cliVerify(TestLethe lethe, String account) {
        return TestCli.lethe(
                "audit",
                "verify",
                "--db-url",
                lethe.jdbcUrl(),
                "--data-dir",
                lethe.dataDir().toString(),
                "--account",
                account);
    }

    /**
     * Recomputes an account's chain from entry {@code from} on with the unkeyed SHA-256 of Lethe
     * before V10, linking to the entry before it as stored, and moves the head to the new end.
     */
    static void rehashWithPlainSha256(String url, String account, long from) throws SQLException {
        try (var c = DriverManager.getConnection(url)) {
            String prev = "0".repeat(64);
            try (var before = c.prepareStatement("select hash from audit_log where account_id = ? and seq = ?")) {
                before.setString(1, account);
                before.setLong(2, from - 1);
                try (var rs = before.executeQuery()) {
                    if (rs.next()) prev = rs.getString(1);
                }
            }
            long last = 0;
            try (var read =
                    c.prepareStatement("select seq, at, actor, source, action, targets, outcome, detail from audit_log"
                            + " where account_id = ? and seq >= ? order by seq")) {
                read.setString(1, account);
                read.setLong(2, from);
                try (var rs = read.executeQuery();
                        var write = c.prepareStatement(
                                "update audit_log set prev_hash = ?, hash = ? where account_id = ? and seq = ?")) {
                    while (rs.next()) {
                        long seq = rs.getLong("seq");
                        String hash = sha256(fields(
                                account,
                                Long.toString(seq),
                                rs.getObject("at", OffsetDateTime.class)
                                        .toInstant()
                                        .truncatedTo(ChronoUnit.MICROS)
                                        .toString(),
                                rs.getString("actor"),
                                rs.getString("source") == null ? "" : rs.getString("source"),
                                rs.getString("action"),
                                rs.getString("targets"),
                                rs.getString("outcome"),
                                rs.getString("detail"),
                                prev));
                        write.setString(1, prev);
                        write.setString(2, hash);
                        write.setString(3, account);
                        write.setLong(4, seq);
                        write.executeUpdate();
                        prev = hash;
                        last = seq;
                    }
                }
            }
            try (var head = c.prepareStatement("update audit_heads set seq = ?, hash = ? where account_id = ?")) {
                head.setLong(1, last);
                head.setString(2, prev);
                head.setString(3, account);
                head.executeUpdate();
            }
        }
    }

    private static String fields(String... parts) {
        var text = new StringBuilder();
        for (String p : parts) text.append(p.length()).append(':').append(p).append('\n');
        return text.toString();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
