package dev.lethe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Legal holds over HTTP: placed for a person, a category or the account, listed, released;
 * every mistake at once; another account sees none of them; the audit log names holds by id and
 * never holds their reason; the filter a sweep and its preview share sees exactly the holds in
 * force at its instant.
 */
class LegalHoldsApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void holdsArePlacedListedAndReleasedAndTheFilterSeesThoseInForce(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = http.post("/v1/identify", a.adminKey(), """
                            {"identifiers": {"email": "zebulon@example.org"}}
                            """)
                    .json()
                    .get("profileId")
                    .asText();
            Instant now = lethe.clock().instant();

            var onPerson = http.post("/v1/legal-holds", a.adminKey(), """
                    {"profileId": "%s", "reason": "Invoice 2026-117 unpaid"}
                    """.formatted(profile));
            assertThat(onPerson.status()).as(onPerson.toString()).isEqualTo(201);
            assertThat(onPerson.json().get("scope").asText()).isEqualTo("profile");
            assertThat(onPerson.json().get("profileId").asText()).isEqualTo(profile);
            var onCategory = http.post("/v1/legal-holds", a.adminKey(), """
                    {"category": "phone_number", "reason": "Court file 7/2026", "until": "%s"}
                    """.formatted(now.plus(Duration.ofDays(30))));
            assertThat(onCategory.status()).as(onCategory.toString()).isEqualTo(201);
            var onAccount = http.post("/v1/legal-holds", a.adminKey(), """
                    {"account": true, "reason": "Regulator inquiry"}
                    """);
            assertThat(onAccount.status()).as(onAccount.toString()).isEqualTo(201);

            String read = lethe.createKey(a.adminKey(), "read").key();
            var listed = http.get("/v1/legal-holds", read);
            assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
            assertThat(listed.json().get("holds").findValuesAsText("scope"))
                    .containsExactlyInAnyOrder("account", "category", "profile");

            // the one filter: who and what is held, at which instant
            var holds = lethe.lethe().legalHolds();
            var filter = filterAt(lethe, a.id(), holds, now.plusSeconds(1));
            assertThat(filter.holding(profile, "email_address")).isPresent();
            assertThat(filter.active()).hasSize(3);
            assertThat(filterAt(lethe, a.id(), holds, now.plus(Duration.ofDays(31)))
                            .active())
                    .as("the category hold ended by itself")
                    .hasSize(2);
            assertThat(filterAt(lethe, a.id(), holds, now.minusSeconds(1)).active())
                    .as("nothing held before the holds were placed")
                    .isEmpty();

            // released: out of the list and the filter, still listed with ?released=true
            String accountHold = onAccount.json().get("id").asText();
            var released = http.delete("/v1/legal-holds/" + accountHold, a.adminKey());
            assertThat(released.status()).as(released.toString()).isEqualTo(200);
            assertThat(released.json().get("releasedAt").asText()).isNotBlank();
            assertThat(http.delete("/v1/legal-holds/" + accountHold, a.adminKey())
                            .status())
                    .isEqualTo(409);
            assertThat(http.get("/v1/legal-holds", read).json().get("holds")).hasSize(2);
            assertThat(http.get("/v1/legal-holds?released=true", read).json().get("holds"))
                    .hasSize(3);
            lethe.clock().advance(Duration.ofSeconds(5));
            var later = filterAt(lethe, a.id(), holds, lethe.clock().instant());
            assertThat(later.holdingAccount()).isEmpty();
            assertThat(later.holding("0190a5b2-0000-7000-8000-000000000000", "name"))
                    .isEmpty();
            assertThat(later.holding(profile, "name")).isPresent();

            // audited by id; the reason stays out of the log
            assertThat(lethe.strings("select action from audit_log where action like 'legal_hold.%' order by at"))
                    .containsExactly("legal_hold.place", "legal_hold.place", "legal_hold.place", "legal_hold.release");
            assertThat(String.join(" ", lethe.strings("select detail from audit_log")))
                    .doesNotContain("Invoice", "Court", "Regulator");
            assertThat(String.join(" ", lethe.strings("select targets from audit_log")))
                    .contains("legal_hold:" + accountHold, "profile:" + profile, "category:phone_number");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aHoldWithMistakesNamesThemAllAndAnotherAccountSeesNoHold(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var b = lethe.createAccount("Wombat");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            http.putYaml("/v1/policy", b.adminKey(), TestPolicies.DATA_CORE);

            var bad = http.post("/v1/legal-holds", a.adminKey(), """
                    {"profileId": "0190a5b2-0000-7000-8000-000000000000", "category": "hat_size",
                     "reason": "  ", "until": "2020-01-01T00:00:00Z"}
                    """);
            assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("path"))
                    .as(bad.toString())
                    .contains("", "profileId", "category", "reason", "until");
            var none = http.post("/v1/legal-holds", a.adminKey(), """
                    {"reason": "Something", "account": false}
                    """);
            assertThat(none.json().get("errors").findValuesAsText("path")).contains("", "account");
            assertThat(http.post("/v1/legal-holds", a.adminKey(), """
                            {"account": true, "reason": "x", "until": "+1000000000-01-01T00:00:00Z"}
                            """).status()).isEqualTo(422);
            assertThat(lethe.count("select count(*) from legal_holds")).isZero();

            String held = http.post("/v1/legal-holds", a.adminKey(), """
                            {"account": true, "reason": "Regulator inquiry"}
                            """)
                    .json()
                    .get("id")
                    .asText();
            assertThat(http.get("/v1/legal-holds", b.adminKey()).json().get("holds"))
                    .isEmpty();
            assertThat(http.delete("/v1/legal-holds/" + held, b.adminKey()).status())
                    .isEqualTo(404);
            assertThat(http.delete("/v1/legal-holds/not-an-id", a.adminKey()).status())
                    .isEqualTo(404);
            String read = lethe.createKey(a.adminKey(), "read").key();
            assertThat(http.delete("/v1/legal-holds/" + held, read).status()).isEqualTo(403);
            assertThat(http.get("/v1/legal-holds?released=maybe", read).status())
                    .isEqualTo(400);
            assertThat(lethe.count("select count(*) from legal_holds where released_at is null"))
                    .isEqualTo(1);
        }
    }

    private static HoldFilter filterAt(TestLethe lethe, String accountId, LegalHolds holds, Instant at) {
        return lethe.lethe().database().jdbi().withHandle(h -> holds.filter(h, accountId, at));
    }
}
