package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.crypto.KeyRotation.Destruction;
import dev.lethe.testing.TestDatabase;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Epochs of the account data key (promise 3): keys open under the epoch they name, new keys are
 * wrapped under the newest, re-wrapping moves keys off an old epoch page by page without bringing
 * back a key shredded meanwhile, and an old epoch is destroyed only once nothing needs it.
 */
class KeyEpochTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anEpochTwoKeyLeavesEpochOneKeysReadableUntilRewrappedAndDestroyingEpochOneLosesNothing(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            var rows = new ArrayList<KeyFixture.Row>();
            for (int i = 0; i < 5; i++) {
                keys.createSubject(KeyFixture.id("sub_" + i));
                rows.add(keys.seal(KeyFixture.id("sub_" + i), "email_address", "person" + i + "@example.org"));
            }
            keys.createSubject(KeyFixture.id("sub_held"));
            var held = keys.seal(KeyFixture.id("sub_held"), "email_address", "held@example.org");
            keys.jdbi.useTransaction(h -> keys.keyring.shred(
                    h, keys.account, KeyFixture.id("sub_held"), Map.of("email_address", KeyFixture.id("hold_audit"))));
            byte[] index = keys.keyring.blindIndex(keys.account, "email", "zebulon@example.org");

            assertThat(keys.rotation.newEpoch(keys.account)).isEqualTo(2);

            keys.createSubject(KeyFixture.id("sub_new"));
            assertThat(keys.count(
                            "select epoch from subject_keys where subject_id = '" + KeyFixture.id("sub_new") + "'"))
                    .isEqualTo(2);
            var cold = keys.otherInstance();
            for (int i = 0; i < 5; i++)
                assertThat(keys.open(cold, rows.get(i))).isEqualTo("person" + i + "@example.org");
            assertThat(keys.rotation.destroyEpoch(keys.account, 1)).isEqualTo(Destruction.TOO_SOON);
            keys.lethe.clock().advance(Keyring.NEW_EPOCH_ADOPTED_WITHIN);
            assertThat(keys.rotation.destroyEpoch(keys.account, 1)).isEqualTo(Destruction.IN_USE);
            assertThat(keys.rotation.destroyEpoch(keys.account, 2)).isEqualTo(Destruction.NEWEST_EPOCH);

            long rewrapped = keys.rotation.rewrap(keys.account, 1, 2);

            assertThat(rewrapped).as("five subject keys and one hold key").isEqualTo(6);
            assertThat(keys.count("select count(*) from subject_keys where epoch = 1"))
                    .isZero();
            assertThat(keys.count("select count(*) from hold_keys where epoch = 1"))
                    .isZero();
            assertThat(keys.rotation.destroyEpoch(keys.account, 1)).isEqualTo(Destruction.DESTROYED);
            assertThat(keys.count("select count(*) from account_keys where purpose = 'data' and epoch = 1"))
                    .isZero();
            for (var instance : new Keyring[] {keys.keyring, keys.otherInstance()}) {
                for (int i = 0; i < 5; i++) {
                    assertThat(keys.open(instance, rows.get(i))).isEqualTo("person" + i + "@example.org");
                }
                assertThat(keys.open(instance, held)).isEqualTo("held@example.org");
                assertThat(keys.open(instance, keys.seal(KeyFixture.id("sub_new"), "email_address", "new@example.org")))
                        .isEqualTo("new@example.org");
            }
            assertThat(keys.keyring.blindIndex(keys.account, "email", "zebulon@example.org"))
                    .as("the index key never rotates")
                    .isEqualTo(index);
            assertThat(keys.count("select count(*) from account_keys where purpose = 'index'"))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aKeyShreddedWhileARewrapPageIsInFlightStaysShredded(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            var rows = new ArrayList<KeyFixture.Row>();
            for (int i = 0; i < 3; i++) {
                keys.createSubject(KeyFixture.id("sub_" + i));
                rows.add(keys.seal(KeyFixture.id("sub_" + i), "email_address", "person" + i + "@example.org"));
            }
            keys.rotation.newEpoch(keys.account);
            var page = keys.rotation.readPage(keys.account, 1, KeyRotation.FIRST_KEY, 10);
            assertThat(page.subjectKeys()).hasSize(3);

            keys.jdbi.useTransaction(h -> keys.keyring.shred(h, keys.account, KeyFixture.id("sub_1")));
            int written = keys.rotation.writePage(page);

            assertThat(written).isEqualTo(2);
            assertThat(keys.count(
                            "select count(*) from subject_keys where subject_id = '" + KeyFixture.id("sub_1") + "'"))
                    .isZero();
            var cold = keys.otherInstance();
            assertThatThrownBy(() -> keys.open(cold, rows.get(1))).isInstanceOf(SubjectKeyDestroyed.class);
            assertThat(keys.open(cold, rows.get(0))).isEqualTo("person0@example.org");
            assertThat(keys.open(cold, rows.get(2))).isEqualTo("person2@example.org");
            assertThat(keys.rotation.writePage(page))
                    .as("a page written twice changes nothing: its keys are no longer in epoch 1")
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anotherInstanceOpensNewEpochKeysAtOnceAndWrapsUnderTheNewEpochWithinTheBound(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            var ticker = new KeyFixture.FakeTicker();
            var other = keys.otherInstance(ticker);
            keys.jdbi.useTransaction(h -> other.createSubjectKey(h, keys.account, KeyFixture.id("sub_before")));
            assertThat(keys.count(
                            "select epoch from subject_keys where subject_id = '" + KeyFixture.id("sub_before") + "'"))
                    .isEqualTo(1);

            keys.rotation.newEpoch(keys.account);
            keys.createSubject(KeyFixture.id("sub_here"));
            var here = keys.seal(KeyFixture.id("sub_here"), "email_address", "here@example.org");

            assertThat(keys.open(other, here))
                    .as("opened under the epoch its key names")
                    .isEqualTo("here@example.org");
            keys.jdbi.useTransaction(h -> other.createSubjectKey(h, keys.account, KeyFixture.id("sub_soon")));
            ticker.advance(Keyring.NEW_EPOCH_ADOPTED_WITHIN);
            keys.jdbi.useTransaction(h -> other.createSubjectKey(h, keys.account, KeyFixture.id("sub_later")));

            assertThat(keys.count(
                            "select epoch from subject_keys where subject_id = '" + KeyFixture.id("sub_soon") + "'"))
                    .as("within the bound the other instance may still use epoch 1")
                    .isEqualTo(1);
            assertThat(keys.count(
                            "select epoch from subject_keys where subject_id = '" + KeyFixture.id("sub_later") + "'"))
                    .isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anAccountKeyMadeInATransactionThatRolledBackIsNeverUsedAgain(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            assertThat(keys.count("select count(*) from account_keys where account_id = ?", keys.account))
                    .isZero();
            // The account's first subject key makes its data key, in a transaction that fails.
            assertThatThrownBy(() -> keys.jdbi.useTransaction(h -> {
                        keys.keyring.createSubjectKey(h, keys.account, KeyFixture.id("sub_lost"));
                        throw new IllegalStateException("the batch failed after making its keys");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(keys.count("select count(*) from account_keys where account_id = ?", keys.account))
                    .isZero();

            keys.createSubject(KeyFixture.id("sub_zebulon"));
            var email = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", "zebulon@example.org");

            assertThat(keys.open(keys.otherInstance(), email)).isEqualTo("zebulon@example.org");
        }
    }
}
