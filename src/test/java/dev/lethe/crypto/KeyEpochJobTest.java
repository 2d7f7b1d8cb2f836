package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.Lethe;
import dev.lethe.jobs.Jobs;
import dev.lethe.outbox.OutboxMessage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key epochs on a schedule: once an account's epoch has served its interval the {@code
 * key-epochs} job makes the next, re-wraps every live key under it and, at its next run, destroys
 * the old one. A subject key wrapped under the old epoch, as a backup would hold it, then opens
 * under no key the database has, while the live data (and the outbox's account-level mail) still
 * reads.
 */
class KeyEpochJobTest {

    static final String EMAIL = "petronella.epoch@example.org";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theScheduledJobDestroysTheOldEpochSoABackedUpWrappedKeyNoLongerOpens(TestDatabase engine)
            throws InterruptedException {
        try (var lethe = new TestLethe(
                engine,
                config -> config.withKeyEpochInterval(Duration.ofSeconds(1))
                        .withJobs(Jobs.Settings.DEFAULT.withPollInterval(Duration.ofMillis(100))))) {
            assertThat(lethe.lethe().jobs().names()).contains(Lethe.KEY_EPOCHS_JOB, Lethe.OUTBOX_JOB);
            var a = lethe.createAccount("Epoch Shop");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .status())
                    .isEqualTo(201);
            String profile = http.post(
                            "/v1/identify", a.adminKey(), "{\"identifiers\": {\"email\": \"" + EMAIL + "\"}}")
                    .json()
                    .get("profileId")
                    .asText();
            var jdbi = lethe.lethe().database().jdbi();
            String mail = jdbi.inTransaction(h -> lethe.lethe()
                    .outbox()
                    .enqueue(
                            h, a.id(), Optional.empty(), OutboxMessage.email(EMAIL, "Kept", "text", "request-update")));
            // what a backup taken now holds of the person's key
            record Backup(String keyId, int epoch, byte[] wrapped) {}
            var backup = jdbi.withHandle(h -> h.createQuery(
                            "select key_id, epoch, wrapped from subject_keys where account_id = :a and subject_id = :s")
                    .bind("a", a.id())
                    .bind("s", profile)
                    .map((rs, ctx) -> new Backup(rs.getString("key_id"), rs.getInt("epoch"), rs.getBytes("wrapped")))
                    .one());
            assertThat(backup.epoch()).isEqualTo(1);

            // the clock moves on: the job starts a round, then (a minute later) destroys epoch 1
            Instant deadline = Instant.now().plusSeconds(60);
            while (epochs(lethe, a.id(), 1) > 0) {
                assertThat(Instant.now()).as("epoch 1 destroyed by the job").isBefore(deadline);
                lethe.clock().advance(Duration.ofMinutes(2));
                Thread.sleep(300);
            }
            assertThat(lethe.count("select count(*) from subject_keys where account_id = ? and epoch = 1", a.id()))
                    .isZero();
            assertThat(lethe.count("select count(*) from hold_keys where account_id = ? and epoch = 1", a.id()))
                    .as("the account's outbox key moved too")
                    .isZero();

            var accountKeys = lethe.lethe().keyring().accountKeys();
            assertThatThrownBy(() -> jdbi.withHandle(h -> accountKeys.data(h, a.id(), backup.epoch())))
                    .isInstanceOf(EpochDestroyed.class);
            int newest = jdbi.withHandle(h -> accountKeys.newestEpoch(h, a.id()));
            assertThatThrownBy(() -> jdbi.withHandle(h -> Crypt.decrypt(
                            accountKeys.data(h, a.id(), newest),
                            backup.wrapped(),
                            Keyring.subjectKeyContext(a.id(), backup.keyId()))))
                    .as("the backed-up wrap opens under no epoch the database has")
                    .isInstanceOf(CryptoFailure.class);

            var read = http.get("/v1/profiles/" + profile, a.adminKey());
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(read.body()).as("live data still decrypts").contains(EMAIL);
            var outbox =
                    http.get("/v1/outbox", a.adminKey()).json().get("messages").get(0);
            assertThat(outbox.get("id").asText()).isEqualTo(mail);
            assertThat(outbox.get("subjectLine").asText()).isEqualTo("Kept");

            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'key.epoch_destroy'"
                                    + " and targets like '%key_epoch:1%'",
                            a.id()))
                    .isEqualTo(1);
            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'key.epoch_start'",
                            a.id()))
                    .isGreaterThanOrEqualTo(1);
            assertThat(http.get("/metrics", null).body())
                    .contains("lethe_key_epoch_last_rotation_seconds{account=\"" + a.id() + "\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRoundTakesTwoRunsAndStartsOnlyOnceTheEpochHasServedItsInterval(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Monthly Shop");
            assertThat(lethe.http()
                            .putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .status())
                    .isEqualTo(201);
            lethe.http().post("/v1/identify", a.adminKey(), "{\"identifiers\": {\"email\": \"" + EMAIL + "\"}}");
            var epochs = lethe.lethe().keyEpochs();

            var early = epochs.rotate(a.id());
            assertThat(early.started()).as("epoch 1 has not served 30 days").isEmpty();

            lethe.clock().advance(Duration.ofDays(30));
            var first = epochs.rotate(a.id());
            assertThat(first.started()).contains(2);
            assertThat(first.rewrapped()).isEqualTo(1);
            assertThat(first.waiting())
                    .as("other servers may still wrap under epoch 1")
                    .containsExactly(1);
            assertThat(first.destroyed()).isEmpty();

            lethe.clock().advance(Keyring.NEW_EPOCH_ADOPTED_WITHIN);
            var second = epochs.rotate(a.id());
            assertThat(second.started()).isEmpty();
            assertThat(second.destroyed()).containsExactly(1);
            assertThat(epochs(lethe, a.id(), 1)).isZero();
            assertThat(epochs.rotate(a.id()).started()).as("epoch 2 is new").isEmpty();
        }
    }

    private static long epochs(TestLethe lethe, String accountId, int epoch) {
        return lethe.count(
                "select count(*) from account_keys where account_id = ? and purpose = 'data' and epoch = ?",
                accountId,
                epoch);
    }
}
