package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A legal hold keeps a category past the destruction of a subject's keys (promise 2, DESIGN
 * "Keys per (subject, category)"): only the held category's derived keys are wrapped under the
 * hold's key, in the transaction that destroys the subject's keys; no value is rewritten.
 */
class KeyHoldTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aHeldCategoryStillOpensAfterTheSubjectsKeysAreDestroyedAndNoOtherDoes(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            keys.createSubject(KeyFixture.id("sub_zebulon"));
            keys.createSubject(KeyFixture.id("sub_visitor"));
            var visitorsEmail = keys.seal(KeyFixture.id("sub_visitor"), "email_address", "zebulon@example.org");
            var visitorsIp = keys.seal(KeyFixture.id("sub_visitor"), "ip_address", "203.0.113.77");
            // The visitor joins Zebulon's profile: he owns both keys, and a hold must cover both.
            keys.jdbi.useTransaction(h ->
                    keys.keyring.moveKeys(h, keys.account, KeyFixture.id("sub_visitor"), KeyFixture.id("sub_zebulon")));
            var invoiceEmail = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", "zebulon@invoices.example");
            var ip = keys.seal(KeyFixture.id("sub_zebulon"), "ip_address", "198.51.100.9");
            assertThat(keys.open(ip)).isEqualTo("198.51.100.9"); // cached here before the shred
            long valuesBefore = keys.count(
                    "select count(*) from subject_keys where subject_id = '" + KeyFixture.id("sub_zebulon") + "'");
            assertThat(valuesBefore).isEqualTo(2);

            boolean destroyed = keys.jdbi.inTransaction(h -> keys.keyring.shred(
                    h,
                    keys.account,
                    KeyFixture.id("sub_zebulon"),
                    Map.of("email_address", KeyFixture.id("hold_unpaid_invoice"))));

            assertThat(destroyed).isTrue();
            assertThat(keys.count("select count(*) from subject_keys where subject_id = '"
                            + KeyFixture.id("sub_zebulon") + "'"))
                    .isZero();
            assertThat(keys.lethe.strings("select key_id || ':' || category from held_keys where hold_id = '"
                            + KeyFixture.id("hold_unpaid_invoice") + "'"))
                    .containsExactlyInAnyOrder(
                            visitorsEmail.keyId() + ":email_address", invoiceEmail.keyId() + ":email_address");
            for (var instance : List.of(keys.keyring, keys.otherInstance())) {
                assertThat(keys.open(instance, invoiceEmail)).isEqualTo("zebulon@invoices.example");
                assertThat(keys.open(instance, visitorsEmail)).isEqualTo("zebulon@example.org");
                assertThatThrownBy(() -> keys.open(instance, ip)).isInstanceOf(SubjectKeyDestroyed.class);
                assertThatThrownBy(() -> keys.open(instance, visitorsIp)).isInstanceOf(SubjectKeyDestroyed.class);
            }
            assertThatThrownBy(() -> keys.seal(KeyFixture.id("sub_zebulon"), "email_address", "new@example.org"))
                    .isInstanceOf(SubjectKeyDestroyed.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void releasingTheHoldDestroysTheHeldCategoryKeysAndTheirValuesNoLongerOpen(TestDatabase engine) {
        try (var keys = new KeyFixture(engine)) {
            keys.createSubject(KeyFixture.id("sub_zebulon"));
            keys.createSubject(KeyFixture.id("sub_yolanda"));
            var zebulons = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", "zebulon@example.org");
            var yolandas = keys.seal(KeyFixture.id("sub_yolanda"), "email_address", "yolanda@example.org");
            keys.jdbi.useTransaction(h -> {
                keys.keyring.shred(
                        h,
                        keys.account,
                        KeyFixture.id("sub_zebulon"),
                        Map.of("email_address", KeyFixture.id("hold_dispute")));
                keys.keyring.shred(
                        h,
                        keys.account,
                        KeyFixture.id("sub_yolanda"),
                        Map.of("email_address", KeyFixture.id("hold_litigation")));
            });
            assertThat(keys.open(zebulons)).isEqualTo("zebulon@example.org");

            int released = keys.jdbi.inTransaction(
                    h -> keys.keyring.releaseHold(h, keys.account, KeyFixture.id("hold_dispute")));

            assertThat(released).isEqualTo(1);
            assertThat(keys.count(
                            "select count(*) from hold_keys where hold_id = '" + KeyFixture.id("hold_dispute") + "'"))
                    .isZero();
            assertThatThrownBy(() -> keys.open(zebulons)).isInstanceOf(SubjectKeyDestroyed.class);
            assertThat(keys.open(yolandas)).as("another hold still stands").isEqualTo("yolanda@example.org");
        }
    }
}
