package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each stored value names the key that sealed it, and that key opens it wherever the value's
 * subject goes: a merge hands the keys over instead of re-sealing every value.
 */
class ValueKeysTest {

    /** A personal_values row as raw storage holds it. */
    record Row(String valueId, String subjectId, String keyId, String category, byte[] ciphertext) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aValueRowNamesTheKeyThatSealedItAndDoesNotOpenUnderARowNamingAnotherKey(TestDatabase engine)
            throws SQLException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String zebulon = identify(lethe, a, "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}");
            String yolanda = identify(lethe, a, "{\"identifiers\": {\"email\": \"yolanda@example.org\"}}");
            String zebulonsKey = sealingKey(lethe, zebulon);
            String yolandasKey = sealingKey(lethe, yolanda);
            var email = rowsOf(lethe, zebulon).getFirst();
            assertThat(email.keyId()).isEqualTo(zebulonsKey);
            assertThat(open(lethe, a.id(), email)).isEqualTo("zebulon@example.org");

            var moved = new Row(email.valueId(), yolanda, yolandasKey, email.category(), email.ciphertext());

            assertThatThrownBy(() -> open(lethe, a.id(), moved)).isInstanceOf(CryptoFailure.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMergeHandsTheKeysToTheSurvivorAndLeavesEveryCiphertextAsItWas(TestDatabase engine) throws SQLException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String survivor = identify(lethe, a, "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}");
            String other = identify(lethe, a, """
                    {"identifiers": {"phone": "+32 471 23 45 67"}, "traits": {"name": "Zebulon Quux"}}
                    """);
            String othersKey = sealingKey(lethe, other);
            var before = new LinkedHashMap<String, Row>();
            for (var row : rowsOf(lethe, other)) before.put(row.valueId(), row);
            assertThat(before).hasSizeGreaterThanOrEqualTo(2);

            var r = http.post("/v1/profiles/" + survivor + "/merge", a.adminKey(), "{\"from\": \"" + other + "\"}");

            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            Map<String, Row> after = new LinkedHashMap<>();
            for (var row : rowsOf(lethe, survivor)) after.put(row.valueId(), row);
            for (var was : before.values()) {
                var now = after.get(was.valueId());
                assertThat(now).as("value " + was.valueId()).isNotNull();
                assertThat(now.ciphertext()).as("not re-sealed").isEqualTo(was.ciphertext());
                assertThat(now.keyId()).isEqualTo(othersKey);
                assertThat(open(lethe, a.id(), now)).isNotBlank();
            }
            assertThat(lethe.strings(
                            "select subject_id || case when sealing then ' seals' else ' opens' end"
                                    + " from subject_keys where key_id = ?",
                            othersKey))
                    .containsExactly(survivor + " opens");
            var view = http.get("/v1/profiles/" + survivor, a.adminKey()).json();
            assertThat(view.at("/contact/email").asText()).isEqualTo("zebulon@example.org");
            assertThat(view.at("/contact/phone").asText()).isEqualTo("+32471234567");
            assertThat(view.at("/traits/name").asText()).isEqualTo("Zebulon Quux");

            // New values of the survivor are sealed under its own key, not one it took over.
            lethe.clock().advance(Duration.ofMinutes(1));
            http.post("/v1/identify", a.adminKey(), """
                    {"identifiers": {"email": "zebulon@example.org"}, "traits": {"name": "Zebulon Q. Quux"}}
                    """);
            var newest = rowsOf(lethe, survivor).getLast();
            assertThat(newest.keyId()).isEqualTo(sealingKey(lethe, survivor)).isNotEqualTo(othersKey);
            assertThat(http.get("/v1/profiles/" + survivor, a.adminKey())
                            .json()
                            .at("/traits/name")
                            .asText())
                    .isEqualTo("Zebulon Q. Quux");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aShreddedProfileNeitherGivesNorTakesValuesInAMerge(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String zebulon = identify(lethe, a, "{\"identifiers\": {\"email\": \"zebulon@example.org\"}}");
            String yolanda = identify(lethe, a, "{\"identifiers\": {\"email\": \"yolanda@example.org\"}}");
            var admin = lethe.lethe().accounts().authenticate(a.adminKey(), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, yolanda))
                    .isTrue();

            var from = http.post("/v1/profiles/" + zebulon + "/merge", a.adminKey(), "{\"from\": \"" + yolanda + "\"}");
            var into = http.post("/v1/profiles/" + yolanda + "/merge", a.adminKey(), "{\"from\": \"" + zebulon + "\"}");

            assertThat(from.status()).as(from.toString()).isEqualTo(410);
            assertThat(into.status()).as(into.toString()).isEqualTo(410);
            assertThat(lethe.count("select count(*) from personal_values where subject_id = ?", zebulon))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from subject_keys where subject_id = ?", zebulon))
                    .isEqualTo(1);
            assertThat(http.get("/v1/profiles/" + zebulon, a.adminKey())
                            .json()
                            .at("/contact/email")
                            .asText())
                    .isEqualTo("zebulon@example.org");
        }
    }

    static String identify(TestLethe lethe, TestLethe.Tenant a, String body) {
        var r = lethe.http().post("/v1/identify", a.adminKey(), body);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    static String sealingKey(TestLethe lethe, String subject) {
        var keys = lethe.strings("select key_id from subject_keys where subject_id = ? and sealing", subject);
        assertThat(keys).hasSize(1);
        return keys.getFirst();
    }

    static String open(TestLethe lethe, String account, Row row) {
        var keyring = lethe.lethe().keyring();
        return new String(
                lethe.lethe()
                        .database()
                        .jdbi()
                        .withHandle(h ->
                                keyring.open(h, account, row.keyId(), row.category(), row.valueId(), row.ciphertext())),
                StandardCharsets.UTF_8);
    }

    /** A subject's value rows, oldest first, read with a plain connection. */
    static List<Row> rowsOf(TestLethe lethe, String subject) throws SQLException {
        try (var c = DriverManager.getConnection(lethe.jdbcUrl());
                var s = c.prepareStatement("""
                        select value_id, subject_id, key_id, category, ciphertext from personal_values
                        where subject_id = ? order by collected_at, value_id
                        """)) {
            s.setString(1, subject);
            var out = new ArrayList<Row>();
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(
                            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5)));
                }
            }
            return out;
        }
    }
}
