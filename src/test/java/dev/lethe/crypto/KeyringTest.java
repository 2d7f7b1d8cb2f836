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
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key hierarchy (promise 3): a value opens only under its own account, subject and category;
 * blind indexes match within an account and nowhere else; nothing unwraps under another master key.
 */
class KeyringTest {

    static final byte[] ZEBULON = "zebulon@example.org".getBytes(StandardCharsets.UTF_8);
    static final String ZEBULON_ID = "01937a6e-0000-7000-8000-000000000001";
    static final String YOLANDA_ID = "01937a6e-0000-7000-8000-000000000002";

    private TestLethe lethe;
    private Keyring keyring;
    private Jdbi jdbi;
    private String quokka;
    private String wombat;

    @BeforeEach
    void start() {
        lethe = new TestLethe(new TestDatabase("h2", "jdbc:h2:mem:"));
        keyring = lethe.lethe().keyring();
        jdbi = lethe.lethe().database().jdbi();
        quokka = lethe.createAccount("Quokka Shop").id();
        wombat = lethe.createAccount("Wombat Games").id();
        jdbi.useTransaction(h -> {
            keyring.createSubjectKey(h, quokka, ZEBULON_ID);
            keyring.createSubjectKey(h, quokka, YOLANDA_ID);
            keyring.createSubjectKey(h, wombat, ZEBULON_ID);
        });
    }

    @AfterEach
    void stop() {
        lethe.close();
    }

    byte[] seal(String account, String subject, String category, byte[] plaintext) {
        return jdbi.inTransaction(h -> keyring.seal(h, account, subject, category, plaintext));
    }

    byte[] open(String account, String subject, String category, byte[] ciphertext) {
        return jdbi.withHandle(h -> keyring.open(h, account, subject, category, ciphertext));
    }

    @Test
    void aValueOpensOnlyUnderItsOwnAccountSubjectAndCategory() {
        byte[] sealed = seal(quokka, ZEBULON_ID, "email_address", ZEBULON);

        assertThat(open(quokka, ZEBULON_ID, "email_address", sealed)).isEqualTo(ZEBULON);
        assertThatThrownBy(() -> open(quokka, YOLANDA_ID, "email_address", sealed))
                .isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> open(quokka, ZEBULON_ID, "phone_number", sealed))
                .isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> open(wombat, ZEBULON_ID, "email_address", sealed))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void theSameValueOfTwoSubjectsGivesTwoDifferentCiphertextsWithoutThePlaintextInEither() {
        byte[] zebulons = seal(quokka, ZEBULON_ID, "email_address", ZEBULON);
        byte[] yolandas = seal(quokka, YOLANDA_ID, "email_address", ZEBULON);

        assertThat(zebulons).isNotEqualTo(yolandas);
        assertThat(new String(zebulons, StandardCharsets.ISO_8859_1)).doesNotContain("zebulon");
        assertThat(new String(yolandas, StandardCharsets.ISO_8859_1)).doesNotContain("zebulon");
        assertThat(open(quokka, YOLANDA_ID, "email_address", yolandas)).isEqualTo(ZEBULON);
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
    void aShreddedSubjectsValuesNoLongerOpen() {
        byte[] sealed = seal(quokka, ZEBULON_ID, "email_address", ZEBULON);

        boolean destroyed = jdbi.inTransaction(h -> keyring.shred(h, quokka, ZEBULON_ID));
        assertThat(destroyed).isTrue();

        assertThatThrownBy(() -> open(quokka, ZEBULON_ID, "email_address", sealed))
                .isInstanceOf(SubjectKeyDestroyed.class);
        assertThat(open(quokka, YOLANDA_ID, "email_address", seal(quokka, YOLANDA_ID, "email_address", ZEBULON)))
                .isEqualTo(ZEBULON);
    }

    @Test
    void aKeyWrappedByOneMasterKeyDoesNotUnwrapUnderAnother() throws Exception {
        var one = KeysetMasterKey.of(freshKeysetJson());
        var other = KeysetMasterKey.of(freshKeysetJson());
        byte[] context = "lethe/account-key/v1|acc_quokka|data".getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = one.wrap(ZEBULON, context);

        assertThat(one.unwrap(wrapped, context)).isEqualTo(ZEBULON);
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
                new HttpServer.Settings("127.0.0.1", 0, 200_000),
                Optional.of(TestLethe.OPERATOR_KEY),
                Optional.of(freshKeysetJson()),
                Lethe.DEFAULT_SESSION_TIMEOUT);
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
