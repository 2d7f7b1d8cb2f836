package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.JdbcAccountStore;
import dev.lethe.accounts.KeyMaterial;
import dev.lethe.accounts.Scope;
import dev.lethe.crypto.KeysetMasterKey;
import dev.lethe.crypto.MasterKey;
import dev.lethe.testing.TestCli;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 4: every change appends an entry (actor, time, source address, action, targets,
 * outcome) to a hash-chained log; verify names every edited, removed or reordered entry and
 * returns the head; and a change whose entry cannot be written does not happen.
 */
class AuditChainTest {

    static final Instant START = Instant.parse("2026-01-15T09:00:00Z");

    /**
     * Zebulon's chain of four entries, an hour apart from 09:00: 1 account.create (by the operator),
     * 2 policy.change, 3 key.create, 4 key.revoke (by Zebulon's admin key).
     */
    record History(TestLethe.Tenant zebulon, String adminKeyId, String readKeyId) {}

    static History fourChanges(TestLethe lethe) {
        var zebulon = lethe.createAccount("Zebulon");
        lethe.clock().advance(Duration.ofHours(1));
        assertThat(lethe.http()
                        .putYaml("/v1/policy", zebulon.adminKey(), TestPolicies.SMALL)
                        .status())
                .isEqualTo(201);
        lethe.clock().advance(Duration.ofHours(1));
        String readKeyId = lethe.createKey(zebulon.adminKey(), "read").keyId();
        lethe.clock().advance(Duration.ofHours(1));
        assertThat(lethe.http()
                        .delete("/v1/keys/" + readKeyId, zebulon.adminKey())
                        .status())
                .isEqualTo(204);
        // Reading the log chains what is pending: the four entries have their places from here on.
        lethe.verifyAudit(zebulon.adminKey());
        return new History(zebulon, TestLethe.keyIdOf(zebulon.adminKey()), readKeyId);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyChangeAppendsOneEntryWithActorTimeSourceActionTargetsAndOutcome(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);

            var entries =
                    lethe.http().get("/v1/audit", h.zebulon().adminKey()).json().get("entries");

            assertThat(entries).hasSize(4);
            assertEntry(
                    entries.get(0),
                    1,
                    START,
                    "bootstrap",
                    "account.create",
                    "account:" + h.zebulon().id());
            assertEntry(entries.get(1), 2, START.plusSeconds(3600), h.adminKeyId(), "policy.change", "policy:1");
            assertEntry(
                    entries.get(2), 3, START.plusSeconds(7200), h.adminKeyId(), "key.create", "key:" + h.readKeyId());
            assertEntry(
                    entries.get(3), 4, START.plusSeconds(10800), h.adminKeyId(), "key.revoke", "key:" + h.readKeyId());
            assertThat(entries.get(1).at("/detail/version").asInt()).isEqualTo(1);
            assertThat(entries.get(2).at("/detail/scopes").toString()).isEqualTo("[\"read\"]");
            assertThat(entries.toString())
                    .doesNotContain(h.zebulon()
                            .adminKey()
                            .substring(h.zebulon().adminKey().lastIndexOf('_') + 1));
            // The operator's own chain records the account's creation too.
            var platform = lethe.http()
                    .get("/v1/audit?action=account.create", TestLethe.OPERATOR_KEY)
                    .json()
                    .get("entries");
            assertThat(platform).singleElement().satisfies(e -> {
                assertThat(e.get("targets").toString())
                        .isEqualTo("[\"account:" + h.zebulon().id() + "\"]");
                assertThat(e.get("actor").asText()).isEqualTo("bootstrap");
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theLogIsFilteredByActionActorTargetAndTimeRange(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String admin = h.zebulon().adminKey();

            assertThat(seqs(lethe, admin, "action=key.create")).containsExactly(3L);
            assertThat(seqs(lethe, admin, "actor=" + h.adminKeyId())).containsExactly(2L, 3L, 4L);
            assertThat(seqs(lethe, admin, "actor=bootstrap")).containsExactly(1L);
            assertThat(seqs(lethe, admin, "target=key:" + h.readKeyId())).containsExactly(3L, 4L);
            assertThat(seqs(lethe, admin, "target=policy:1")).containsExactly(2L);
            assertThat(seqs(lethe, admin, "target=account:" + h.zebulon().id())).containsExactly(1L);
            assertThat(seqs(lethe, admin, "target=account:" + h.zebulon().id().replace("-", "_")))
                    .isEmpty();
            assertThat(seqs(lethe, admin, "target=policy")).isEmpty();
            assertThat(seqs(lethe, admin, "from=2026-01-15T10:00:00Z&to=2026-01-15T12:00:00Z"))
                    .containsExactly(2L, 3L);
            assertThat(seqs(lethe, admin, "from=2026-01-15T11:30:00Z")).containsExactly(4L);
            assertThat(seqs(lethe, admin, "to=2026-01-15T09:00:00.000001Z")).containsExactly(1L);
            assertThat(seqs(lethe, admin, "action=key.revoke&actor=" + h.adminKeyId() + "&target=key:" + h.readKeyId()))
                    .containsExactly(4L);
            assertThat(seqs(lethe, admin, "action=key.revoke&actor=bootstrap")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theLogIsReadInPagesByCursorAndFromAfterAKnownSequenceNumber(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String admin = h.zebulon().adminKey();

            var first = lethe.http().get("/v1/audit?limit=3", admin).json();
            var second = lethe.http()
                    .get("/v1/audit?limit=3&cursor=" + first.get("nextCursor").asText(), admin)
                    .json();
            var filtered = lethe.http()
                    .get("/v1/audit?limit=1&after=2&actor=" + h.adminKeyId(), admin)
                    .json();

            assertThat(first.get("entries"))
                    .extracting(e -> e.get("seq").asLong())
                    .containsExactly(1L, 2L, 3L);
            assertThat(first.get("nextCursor").isTextual()).isTrue();
            assertThat(second.get("entries"))
                    .extracting(e -> e.get("seq").asLong())
                    .containsExactly(4L);
            assertThat(second.get("nextCursor").isNull()).isTrue();
            assertThat(filtered.get("entries"))
                    .extracting(e -> e.get("seq").asLong())
                    .containsExactly(3L);
            assertThat(lethe.http().get("/v1/audit?limit=0", admin).status()).isEqualTo(400);
            assertThat(lethe.http().get("/v1/audit?limit=1001", admin).status()).isEqualTo(400);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anUntouchedChainVerifiesIntactAndReturnsItsHead(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);

            var v = verify(lethe, h);

            var last = lethe.http()
                    .get("/v1/audit?after=3", h.zebulon().adminKey())
                    .json()
                    .at("/entries/0");
            assertThat(v.get("intact").asBoolean()).isTrue();
            assertThat(v.get("entries").asLong()).isEqualTo(4);
            assertThat(v.at("/head/seq").asLong()).isEqualTo(4);
            assertThat(v.at("/head/hash").asText())
                    .isEqualTo(last.get("hash").asText())
                    .matches("[0-9a-f]{64}");
            assertThat(v.get("problems")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEditedEntryIsNamed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            var other = lethe.createAccount("Yolanda");

            tamper(
                    lethe,
                    "update audit_log set actor = 'mallory' where account_id = '"
                            + h.zebulon().id() + "' and seq = 2");

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(problems(v)).containsExactly("2: content does not match its hash (edited)");
            assertThat(lethe.verifyAudit(other.adminKey()).get("intact").asBoolean())
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEditedTimeOrDetailIsNamedToo(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String where = " where account_id = '" + h.zebulon().id() + "' and seq = ";

            tamper(lethe, "update audit_log set at = at - interval '1' day" + where + 3);
            tamper(lethe, "update audit_log set detail = '{\"version\":7}'" + where + 2);

            assertThat(problems(verify(lethe, h)))
                    .extracting(p -> p.substring(0, p.indexOf(':')))
                    .containsExactly("2", "3");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aDeletedMiddleEntryIsNamedByTheEntryAfterTheGap(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);

            tamper(
                    lethe,
                    "delete from audit_log where account_id = '" + h.zebulon().id() + "' and seq = 2");

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(v.get("entries").asLong()).isEqualTo(3);
            assertThat(v.get("problems")).singleElement().satisfies(p -> {
                assertThat(p.get("seq").asLong()).isEqualTo(3);
                assertThat(p.get("reason").asText()).contains("2").contains("missing");
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void twoSwappedEntriesAreBothNamed(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            String account = " where account_id = '" + h.zebulon().id() + "' and seq = ";

            tamper(lethe, "update audit_log set seq = 1000" + account + 2);
            tamper(lethe, "update audit_log set seq = 2" + account + 3);
            tamper(lethe, "update audit_log set seq = 3" + account + 1000);

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isFalse();
            // Both moved entries are named; entry 4 may be named as well, since the entry before it moved.
            assertThat(problems(v))
                    .contains(
                            "2: does not link to the entry before it (removed or reordered)",
                            "2: content does not match its hash (edited)",
                            "3: content does not match its hash (edited)");
            assertThat(v.get("problems")).extracting(p -> p.get("seq").asLong()).doesNotContain(1L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aDeletedLastEntryIsDetectedThroughTheHead(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            var before = verify(lethe, h).get("head");

            tamper(
                    lethe,
                    "delete from audit_log where account_id = '" + h.zebulon().id() + "' and seq = 4");

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isFalse();
            assertThat(v.get("entries").asLong()).isEqualTo(3);
            assertThat(v.get("head")).isEqualTo(before);
            assertThat(v.get("problems")).singleElement().satisfies(p -> {
                assertThat(p.get("seq").asLong()).isEqualTo(4);
                assertThat(p.get("reason").asText()).contains("ends at entry 3");
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTruncationThatAlsoRewindsTheHeadShowsAsADifferentHeadToWhoeverKeptTheOldOne(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);
            var kept = verify(lethe, h).get("head");
            String third = lethe.http()
                    .get("/v1/audit?after=2&limit=1", h.zebulon().adminKey())
                    .json()
                    .at("/entries/0/hash")
                    .asText();

            tamper(
                    lethe,
                    "delete from audit_log where account_id = '" + h.zebulon().id() + "' and seq = 4");
            tamper(
                    lethe,
                    "update audit_heads set seq = 3, hash = '" + third + "' where account_id = '"
                            + h.zebulon().id() + "'");

            var v = verify(lethe, h);
            assertThat(v.get("intact").asBoolean()).isTrue();
            assertThat(v.at("/head/seq").asLong()).isLessThan(kept.get("seq").asLong());
            assertThat(v.get("head")).isNotEqualTo(kept);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountWithoutAChainIsReportedBrokenNotIntact(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);

            var unknown = TestCli.lethe(
                    "audit",
                    "verify",
                    "--db-url",
                    lethe.jdbcUrl(),
                    "--data-dir",
                    lethe.dataDir().toString(),
                    "--account",
                    "0b9d3c1e-6f2a-4c1d-9e8f-7a6b5c4d3e2f");
            tamper(
                    lethe,
                    "delete from audit_heads where account_id = '" + h.zebulon().id() + "'");
            tamper(
                    lethe,
                    "delete from audit_log where account_id = '" + h.zebulon().id() + "'");
            var wiped = TestCli.lethe(
                    "audit",
                    "verify",
                    "--db-url",
                    lethe.jdbcUrl(),
                    "--data-dir",
                    lethe.dataDir().toString());

            assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
            assertThat(unknown.out()).contains("BROKEN", "no audit chain");
            assertThat(wiped.exit()).as(wiped.toString()).isEqualTo(1);
            assertThat(wiped.out()).contains("BROKEN  " + h.zebulon().id(), "no audit chain");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theCommandLineVerifiesEveryChainAndExitsOneNamingTheBrokenEntry(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var h = fourChanges(lethe);

            var intact = TestCli.lethe(
                    "audit",
                    "verify",
                    "--db-url",
                    lethe.jdbcUrl(),
                    "--data-dir",
                    lethe.dataDir().toString());
            assertThat(intact.exit()).as(intact.toString()).isZero();
            assertThat(intact.out()).contains("intact  " + h.zebulon().id() + ": 4 entries", "intact  platform");
            assertThat(intact.out()).doesNotContain("BROKEN");

            tamper(
                    lethe,
                    "update audit_log set outcome = 'denied' where account_id = '"
                            + h.zebulon().id() + "' and seq = 2");

            var broken = TestCli.lethe(
                    "audit",
                    "verify",
                    "--db-url",
                    lethe.jdbcUrl(),
                    "--data-dir",
                    lethe.dataDir().toString());
            assertThat(broken.exit()).as(broken.toString()).isEqualTo(1);
            assertThat(broken.out())
                    .contains("BROKEN  " + h.zebulon().id(), "entry 2: content does not match its hash (edited)");
            assertThat(broken.out()).contains("intact  platform");
            var one = TestCli.lethe(
                    "audit",
                    "verify",
                    "--db-url",
                    lethe.jdbcUrl(),
                    "--data-dir",
                    lethe.dataDir().toString(),
                    "--account",
                    h.zebulon().id());
            assertThat(one.exit()).isEqualTo(1);
            assertThat(one.out()).contains("entry 2").doesNotContain("platform");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aKeyWhoseAuditEntryCannotBeWrittenIsNotCreated(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            var jdbi = lethe.lethe().database().jdbi();
            var failingAudit = new AuditLog(
                    jdbi, new InsertFails(new JdbcAuditStore()), masterKeyOf(lethe), new SecureRandom(), lethe.clock());
            var accounts = new AccountService(
                    jdbi, new JdbcAccountStore(), failingAudit, new KeyMaterial(new SecureRandom()), lethe.clock());
            var admin =
                    new Caller(zebulon.id(), TestLethe.keyIdOf(zebulon.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");

            assertThatThrownBy(() -> accounts.createKey(admin, Set.of(Scope.READ), "never stored"))
                    .hasMessageContaining("audit store is down");

            assertThat(lethe.keys(zebulon.adminKey())).hasSize(1);
            assertThat(accounts.listKeys(admin)).hasSize(1);
            assertThat(lethe.verifyAudit(zebulon.adminKey()).get("entries").asLong())
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRequestWhoseAuditEntryTheDatabaseRefusesFailsAndChangesNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var zebulon = lethe.createAccount("Zebulon");
            var yolanda = lethe.createAccount("Yolanda");
            lethe.verifyAudit(zebulon.adminKey()); // the first entry is chained
            // From now on the database refuses every new entry of Zebulon's log.
            tamper(
                    lethe,
                    "alter table audit_log add constraint zebulon_frozen check (account_id <> '" + zebulon.id()
                            + "' or seq is not null)");

            var policy = lethe.http().putYaml("/v1/policy", zebulon.adminKey(), TestPolicies.SMALL);
            var key = lethe.http().post("/v1/keys", zebulon.adminKey(), "{\"scopes\":[\"read\"]}");
            var revoke = lethe.http().delete("/v1/keys/" + TestLethe.keyIdOf(zebulon.adminKey()), zebulon.adminKey());

            assertThat(List.of(policy, key, revoke)).allSatisfy(r -> {
                assertThat(r.status()).as(r.toString()).isEqualTo(500);
                assertThat(r.contentType()).startsWith("application/problem+json");
            });
            assertThat(lethe.policyVersions(zebulon.adminKey())).isEmpty();
            assertThat(lethe.keys(zebulon.adminKey()))
                    .singleElement()
                    .satisfies(k -> assertThat(k.get("revokedAt").isNull()).isTrue());
            assertThat(lethe.verifyAudit(zebulon.adminKey()).get("intact").asBoolean())
                    .isTrue();
            assertThat(lethe.http()
                            .putYaml("/v1/policy", yolanda.adminKey(), TestPolicies.SMALL)
                            .status())
                    .isEqualTo(201);
        }
    }

    /** The real store, except that writing an entry fails. */
    record InsertFails(AuditStore real) implements AuditStore {
        @Override
        public void createChain(Handle h, String accountId) {
            real.createChain(h, accountId);
        }

        @Override
        public void insertPending(Handle h, AuditEntry entry) {
            throw new IllegalStateException("audit store is down");
        }

        @Override
        public ChainHead lockHead(Handle h, String accountId) {
            return real.lockHead(h, accountId);
        }

        @Override
        public List<AuditEntry> pending(Handle h, String accountId, int limit) {
            return real.pending(h, accountId, limit);
        }

        @Override
        public void chain(Handle h, List<AuditEntry> chained) {
            real.chain(h, chained);
        }

        @Override
        public void refuse(Handle h, String accountId, String entryId, Instant at) {
            real.refuse(h, accountId, entryId, at);
        }

        @Override
        public void moveHead(Handle h, String accountId, ChainHead head) {
            real.moveHead(h, accountId, head);
        }

        @Override
        public List<AuditEntry> find(Handle h, String accountId, AuditQuery query) {
            return real.find(h, accountId, query);
        }

        @Override
        public void forEachInOrder(Handle h, String accountId, Consumer<AuditEntry> sink) {
            real.forEachInOrder(h, accountId, sink);
        }

        @Override
        public void forEachUnchained(Handle h, String accountId, Consumer<Unchained> sink) {
            real.forEachUnchained(h, accountId, sink);
        }

        @Override
        public Optional<ChainHead> head(Handle h, String accountId) {
            return real.head(h, accountId);
        }

        @Override
        public long countPastHead(Handle h, String accountId) {
            return real.countPastHead(h, accountId);
        }

        @Override
        public List<String> chainOwners(Handle h) {
            return real.chainOwners(h);
        }

        @Override
        public List<String> accountsWithPending(Handle h) {
            return real.accountsWithPending(h);
        }

        @Override
        public Optional<byte[]> key(Handle h, String accountId) {
            return real.key(h, accountId);
        }

        @Override
        public void insertKey(Handle h, String accountId, byte[] wrapped, Instant at) {
            real.insertKey(h, accountId, wrapped, at);
        }
    }

    /** The master key of a test's Lethe (the file it made in its data directory). */
    static MasterKey masterKeyOf(TestLethe lethe) {
        return KeysetMasterKey.load(Optional.empty(), lethe.dataDir().resolve("master-key.json"));
    }

    static void assertEntry(JsonNode e, long seq, Instant at, String actor, String action, String target) {
        assertThat(e.get("seq").asLong()).isEqualTo(seq);
        assertThat(Instant.parse(e.get("at").asText())).isEqualTo(at);
        assertThat(e.get("actor").asText()).isEqualTo(actor);
        assertThat(e.get("source").asText()).isEqualTo("127.0.0.1");
        assertThat(e.get("action").asText()).isEqualTo(action);
        assertThat(e.get("targets").toString()).isEqualTo("[\"" + target + "\"]");
        assertThat(e.get("outcome").asText()).isEqualTo("ok");
    }

    static List<Long> seqs(TestLethe lethe, String key, String query) {
        var r = lethe.http().get("/v1/audit?" + query, key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var out = new ArrayList<Long>();
        r.json().get("entries").forEach(e -> out.add(e.get("seq").asLong()));
        return out;
    }

    static JsonNode verify(TestLethe lethe, History h) {
        return lethe.verifyAudit(h.zebulon().adminKey());
    }

    /** Each problem as "seq: reason". */
    static List<String> problems(JsonNode verification) {
        var out = new ArrayList<String>();
        verification
                .get("problems")
                .forEach(p ->
                        out.add(p.get("seq").asLong() + ": " + p.get("reason").asText()));
        return out;
    }

    static void tamper(TestLethe lethe, String sql) {
        TestDatabase.execute(lethe.jdbcUrl(), sql);
    }
}
