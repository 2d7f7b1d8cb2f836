package dev.lethe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.testing.Consenting;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 3: no plaintext personal data at rest. Whatever a copy of the database or the data
 * directory holds, Zebulon's email, phone, name, IP address and referrer are not in it; and once
 * his key is destroyed, not even the server can read what is left.
 */
class NoPlaintextAtRestTest {

    /** What must never appear in raw storage, in lower case (cells are compared lower-cased). */
    static final List<String> NEEDLES =
            List.of("zebulon", "471 23 45 67", "+32471234567", "203.0.113.77", "referrer.example");

    static String policy() throws IOException {
        return Files.readString(Path.of("examples/web-personalisation.yaml"));
    }

    static final String LAPTOP_EVENTS = """
            {"events": [
              {"visitorId": "laptop-1", "type": "page_view",
               "context": {"ip": "203.0.113.77", "referrer": "https://zebulon-referrer.example/",
                           "url": "https://shop.example/zebulon"}},
              {"visitorId": "laptop-1", "type": "page_view",
               "context": {"ip": "203.0.113.77", "url": "https://shop.example/basket"}}
            ]}
            """;

    static final String IDENTIFY = """
            {"visitorId": "laptop-1",
             "identifiers": {"email": "Zebulon@Example.org", "phone": "+32 471 23 45 67"},
             "traits": {"name": "Zebulon Quux"}}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void noTableColumnOrDataFileHoldsZebulonsDataInPlaintextAndShreddingMakesItUnreadable(TestDatabase engine)
            throws Exception {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Shop");
            var http = lethe.http();
            assertThat(http.putYaml("/v1/policy", a.adminKey(), policy()).status())
                    .isEqualTo(201);
            // the example's contact and browsing categories are consent-based: Zebulon agreed
            Consenting.consentToEverything(http, a.adminKey(), "laptop-1", null);
            assertThat(http.post("/v1/track", a.adminKey(), LAPTOP_EVENTS)
                            .json()
                            .get("accepted")
                            .asInt())
                    .isEqualTo(2);
            var identified = http.post("/v1/identify", a.adminKey(), IDENTIFY);
            assertThat(identified.status()).as(identified.toString()).isEqualTo(201);
            String profileId = identified.json().get("profileId").asText();
            lethe.clock().advance(Duration.ofHours(2));
            var later = http.post("/v1/track", a.adminKey(), """
                    {"events": [{"visitorId": "laptop-1", "type": "page_view",
                      "context": {"ip": "203.0.113.77", "referrer": "https://zebulon-referrer.example/"}}]}
                    """);
            assertThat(later.json().get("accepted").asInt())
                    .as(later.toString())
                    .isEqualTo(1);

            // The data is there, and the API gives it back: the scan below looks for something real.
            var profile = http.get("/v1/profiles/" + profileId, a.adminKey());
            assertThat(profile.status()).as(profile.toString()).isEqualTo(200);
            assertThat(profile.body())
                    .contains(
                            "zebulon@example.org", "+32471234567", "Zebulon Quux", "https://zebulon-referrer.example/");
            assertThat(lethe.count(
                            "select count(*) from personal_values where account_id = ? and field = 'context.ip'",
                            a.id()))
                    .isEqualTo(3);

            var tables = RawStorage.tables(lethe.jdbcUrl());
            assertThat(tables)
                    .contains(
                            "personal_values",
                            "subjects",
                            "identifiers",
                            "subject_keys",
                            "account_keys",
                            "events",
                            "sessions",
                            "audit_log",
                            "policy_versions");
            var cells = RawStorage.cells(lethe.jdbcUrl());
            assertThat(cells).extracting(RawStorage.Cell::table).contains("personal_values", "events", "sessions");
            var leaks = new ArrayList<String>();
            for (var cell : cells) {
                String text = cell.text().toLowerCase(Locale.ROOT);
                for (String needle : NEEDLES) if (text.contains(needle)) leaks.add(cell + " holds '" + needle + "'");
            }
            assertThat(leaks).as("cells holding personal data in plaintext").isEmpty();

            var fileLeaks = new ArrayList<String>();
            try (Stream<Path> files = Files.walk(lethe.dataDir())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    for (String text : List.of(
                            new String(bytes, StandardCharsets.UTF_8),
                            new String(bytes, StandardCharsets.ISO_8859_1))) {
                        for (String needle : NEEDLES)
                            if (text.toLowerCase(Locale.ROOT).contains(needle)) fileLeaks.add(file + ": " + needle);
                    }
                }
            }
            assertThat(fileLeaks)
                    .as("data files holding personal data in plaintext")
                    .isEmpty();
            Path masterKey = lethe.dataDir().resolve("master-key.json");
            assertThat(masterKey).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(masterKey)))
                    .isEqualTo("rw-------");

            var email = emailValue(lethe, a.id(), profileId);
            var jdbi = lethe.lethe().database().jdbi();
            var keyring = lethe.lethe().keyring();
            assertThat(new String(
                            jdbi.withHandle(h -> keyring.open(
                                    h, a.id(), email.keyId(), email.category(), email.valueId(), email.ciphertext())),
                            StandardCharsets.UTF_8))
                    .isEqualTo("zebulon@example.org");

            var admin = lethe.lethe().accounts().authenticate(a.adminKey(), "127.0.0.1");
            assertThat(lethe.lethe().profiles().shredding().shred(admin, profileId))
                    .isTrue();

            var gone = http.get("/v1/profiles/" + profileId, a.adminKey());
            assertThat(gone.status()).as(gone.toString()).isEqualTo(410);
            assertThat(gone.contentType()).startsWith("application/problem+json");
            assertThat(gone.body().toLowerCase(Locale.ROOT)).doesNotContain("zebulon");
            assertThat(lethe.count(
                            "select count(*) from subject_keys where account_id = ? and subject_id = ?",
                            a.id(),
                            profileId))
                    .isZero();
            var stillStored = emailValue(lethe, a.id(), profileId);
            assertThatThrownBy(() -> jdbi.withHandle(h -> keyring.open(
                            h,
                            a.id(),
                            stillStored.keyId(),
                            stillStored.category(),
                            stillStored.valueId(),
                            stillStored.ciphertext())))
                    .isInstanceOf(SubjectKeyDestroyed.class);
        }
    }

    record Sealed(String keyId, String category, String valueId, byte[] ciphertext) {}

    /** The stored email of a profile, as raw storage holds it. */
    static Sealed emailValue(TestLethe lethe, String accountId, String subjectId) throws SQLException {
        try (var c = DriverManager.getConnection(lethe.jdbcUrl());
                var s = c.prepareStatement("""
                        select key_id, category, value_id, ciphertext from personal_values
                        where account_id = ? and subject_id = ? and field = 'identifiers.email'
                        """)) {
            s.setString(1, accountId);
            s.setString(2, subjectId);
            try (var rs = s.executeQuery()) {
                assertThat(rs.next()).as("a stored email of " + subjectId).isTrue();
                return new Sealed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4));
            }
        }
    }
}
