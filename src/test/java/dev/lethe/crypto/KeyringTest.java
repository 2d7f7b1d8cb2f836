package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import dev.lethe.storage.DatabaseSettings;
import dev.lethe.testing.MutableClock;
import dev.lethe.testing.SchemaConformance;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key hierarchy (promise 3): a value opens only under the key its row names, in its own
 * account, category and row; blind indexes match within an account and nowhere else; nothing
 * unwraps under another master key.
 */
class KeyringTest {

    static final String ZEBULON = "zebulon@example.org";

    private TestLethe lethe;
    private KeyFixture keys;
    private Keyring keyring;
    private String quokka;
    private String wombat;

    @BeforeEach
    void start() {
        keys = new KeyFixture(new TestDatabase("h2", "jdbc:h2:mem:"));
        lethe = keys.lethe;
        keyring = keys.keyring;
        quokka = keys.account;
        wombat = lethe.createAccount("Wombat Games").id();
        keys.createSubject(KeyFixture.id("sub_zebulon"));
        keys.createSubject(KeyFixture.id("sub_yolanda"));
        keys.jdbi.useTransaction(h -> keyring.createSubjectKey(h, wombat, KeyFixture.id("sub_zebulon")));
    }

    @AfterEach
    void stop() {
        keys.close();
    }

    String open(String account, String keyId, String category, String valueId, byte[] ciphertext) {
        return new String(
                keys.jdbi.withHandle(h -> keyring.open(h, account, keyId, category, valueId, ciphertext)),
                StandardCharsets.UTF_8);
    }

    @Test
    void aValueOpensOnlyUnderItsOwnAccountKeyCategoryAndRow() {
        var sealed = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", ZEBULON);
        String yolandasKey =
                keys.seal(KeyFixture.id("sub_yolanda"), "email_address", "y").keyId();
        String wombatsKey = keys.jdbi
                .inTransaction(h -> keyring.seal(
                        h,
                        wombat,
                        KeyFixture.id("sub_zebulon"),
                        "email_address",
                        "val_w",
                        ZEBULON.getBytes(StandardCharsets.UTF_8)))
                .keyId();

        assertThat(open(quokka, sealed.keyId(), "email_address", sealed.valueId(), sealed.ciphertext()))
                .isEqualTo(ZEBULON);
        assertThatThrownBy(() -> open(quokka, yolandasKey, "email_address", sealed.valueId(), sealed.ciphertext()))
                .isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> open(quokka, sealed.keyId(), "phone_number", sealed.valueId(), sealed.ciphertext()))
                .isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> open(quokka, sealed.keyId(), "email_address", "val_other", sealed.ciphertext()))
                .isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> open(wombat, wombatsKey, "email_address", sealed.valueId(), sealed.ciphertext()))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void aValueDoesNotOpenUnderAnotherKeyOfTheSameSubject() {
        var yolandas = keys.seal(KeyFixture.id("sub_yolanda"), "email_address", ZEBULON);
        // Yolanda merges into Zebulon: he now owns both keys.
        keys.jdbi.useTransaction(
                h -> keyring.moveKeys(h, quokka, KeyFixture.id("sub_yolanda"), KeyFixture.id("sub_zebulon")));
        var zebulons = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", ZEBULON);
        assertThat(zebulons.keyId()).isNotEqualTo(yolandas.keyId());

        assertThat(keys.open(yolandas)).isEqualTo(ZEBULON);
        assertThatThrownBy(() ->
                        open(quokka, zebulons.keyId(), "email_address", yolandas.valueId(), yolandas.ciphertext()))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void theSameValueOfTwoSubjectsGivesTwoDifferentCiphertextsWithoutThePlaintextInEither() {
        var zebulons = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", ZEBULON);
        var yolandas = keys.seal(KeyFixture.id("sub_yolanda"), "email_address", ZEBULON);

        assertThat(zebulons.ciphertext()).isNotEqualTo(yolandas.ciphertext());
        assertThat(new String(zebulons.ciphertext(), StandardCharsets.ISO_8859_1))
                .doesNotContain("zebulon");
        assertThat(new String(yolandas.ciphertext(), StandardCharsets.ISO_8859_1))
                .doesNotContain("zebulon");
        assertThat(keys.open(yolandas)).isEqualTo(ZEBULON);
    }

    @Test
    void blindIndexesAreEqualForEqualInputWithinAnAccountAndDifferAcrossAccounts() {
        byte[] first = keyring.blindIndex(quokka, "email", "zebulon@example.org");
        byte[] again = keyring.blindIndex(quokka, "email", "zebulon@example.org");
        byte[] otherPerson = keyring.blindIndex(quokka, "email", "yolanda@example.org");
        byte[] otherKind = keyring.blindIndex(quokka, "externalId", "zebulon@example.org");
        byte[] otherAccount = keyring.blindIndex(wombat, "email", "zebulon@example.org");

        assertThat(first).hasSize(32).isEqualTo(again);
        assertThat(first).isNotEqualTo(otherPerson).isNotEqualTo(otherKind).isNotEqualTo(otherAccount);
    }

    @Test
    void aShreddedSubjectsValuesNoLongerOpenAtOnceEvenWhenItsKeyWasCached() {
        var sealed = keys.seal(KeyFixture.id("sub_zebulon"), "email_address", ZEBULON);
        assertThat(keys.open(sealed)).isEqualTo(ZEBULON); // now cached

        boolean destroyed = keys.jdbi.inTransaction(h -> keyring.shred(h, quokka, KeyFixture.id("sub_zebulon")));
        assertThat(destroyed).isTrue();

        assertThatThrownBy(() -> keys.open(sealed)).isInstanceOf(SubjectKeyDestroyed.class);
        assertThatThrownBy(() -> keys.seal(KeyFixture.id("sub_zebulon"), "email_address", ZEBULON))
                .isInstanceOf(SubjectKeyDestroyed.class);
        assertThat(keys.open(keys.seal(KeyFixture.id("sub_yolanda"), "email_address", ZEBULON)))
                .isEqualTo(ZEBULON);
    }

    @Test
    void aKeyWrappedByOneMasterKeyDoesNotUnwrapUnderAnother() throws Exception {
        var one = KeysetMasterKey.of(freshKeysetJson());
        var other = KeysetMasterKey.of(freshKeysetJson());
        byte[] context = "lethe/account-key/v1|acc_quokka|data".getBytes(StandardCharsets.UTF_8);
        byte[] secret = ZEBULON.getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = one.wrap(secret, context);

        assertThat(one.unwrap(wrapped, context)).isEqualTo(secret);
        assertThatThrownBy(() -> other.unwrap(wrapped, context)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() ->
                        one.unwrap(wrapped, "lethe/account-key/v1|acc_wombat|data".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void aServerWithAnotherMasterKeyRefusesToStartAndShowsNoneOfTheData() throws Exception {
        var a = lethe.createAccount("Kiwi Travel");
        var http = lethe.http();
        assertThat(http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                        .status())
                .isEqualTo(201);
        var identified = http.post("/v1/identify", a.adminKey(), """
                {"identifiers": {"email": "zebulon@example.org", "phone": "+32 471 23 45 67"},
                 "traits": {"name": "Zebulon Quux"}}
                """);
        assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
        String profileId = identified.json().get("profileId").asText();
        assertThat(http.get("/v1/profiles/" + profileId, a.adminKey()).body()).contains("zebulon@example.org");

        var config = new Lethe.Config(
                        Files.createTempDirectory("lethe-other-master"),
                        new DatabaseSettings(lethe.jdbcUrl(), null, null, 2),
                        new HttpServer.Settings("127.0.0.1", 0, 200_000).withResponseCheck(new SchemaConformance()),
                        Optional.of(TestLethe.OPERATOR_KEY))
                .toBuilder().masterKey(Optional.of(freshKeysetJson())).build();
        assertThatThrownBy(() -> Lethe.start(
                        config, new MutableClock(Instant.parse("2026-01-15T10:00:00Z")), new SecureRandom()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LETHE_MASTER_KEY")
                .hasMessageContaining("does not open this database's account keys")
                .satisfies(
                        e -> assertThat(e.getMessage().toLowerCase(Locale.ROOT)).doesNotContain("zebulon"));
        // The right master key still reads it: the other server changed no key.
        var again = http.get("/v1/profiles/" + profileId, a.adminKey());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("contact").get("email").asText()).isEqualTo("zebulon@example.org");
    }

    static String freshKeysetJson() throws GeneralSecurityException {
        AeadConfig.register();
        return TinkJsonProtoKeysetFormat.serializeKeyset(
                KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM), InsecureSecretKeyAccess.get());
    }
}
