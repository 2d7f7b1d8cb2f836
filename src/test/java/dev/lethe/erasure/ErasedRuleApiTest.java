package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retention trigger {@code erased} end to end: an invoice number whose category is kept ten
 * years after the customer's erasure ({@code after: erased, P10Y}) outlives the erasure sealed under
 * a rule hold of its own — the email goes at once, the receipt lists the invoice number as kept by
 * the rule until the erasure plus ten years — and the sweep removes it, with the rule hold's keys,
 * the day after that date and not the day before; the preview says the same.
 */
class ErasedRuleApiTest {

    static final String POLICY =
            TestPolicies.DATA_CORE.replace("  ip_address:\n", """
                      invoice_number:
                        purpose: invoicing
                        lawfulBasis: legal_obligation
                        source: api
                        required: false
                        subjects: [profile]
                        retention: { period: P10Y, after: erased }
                      ip_address:
                    """).replace("  traits.name: name\n", """
                      traits.name: name
                      traits.invoice: invoice_number
                    """);

    static final String INVOICE = "INV-2026-0042-zebulon";
    static final String EMAIL = "zebulon.invoiced@example.org";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anInvoiceNumberOutlivesTheErasureUntilItsRuleHasRunThenGoesWithItsKeys(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            String key = a.adminKey();
            var http = lethe.http();
            var put = http.putYaml("/v1/policy", key, POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            String zebulon = identify(lethe, key, "laptop-zebulon", EMAIL, INVOICE);
            String yolanda = identify(lethe, key, "phone-yolanda", "yolanda@example.org", "INV-2026-0043-yolanda");
            lethe.clock().advance(java.time.Duration.ofDays(3));
            Instant erasedAt = lethe.clock().instant().truncatedTo(ChronoUnit.MICROS);
            lethe.clock().set(erasedAt);
            long valuesBefore = lethe.count("select count(*) from personal_values where subject_id = ?", uuid(zebulon));

            var erased = http.delete("/v1/profiles/" + zebulon, key);

            assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
            var receipt = erased.json();
            assertThat(receipt.get("state").asText()).isEqualTo("purged");
            assertThat(receipt.get("held")).isEmpty();
            assertThat(receipt.get("kept")).hasSize(1);
            var kept = receipt.get("kept").get(0);
            Instant until = erasedAt.atOffset(ZoneOffset.UTC).plusYears(10).toInstant();
            assertThat(kept.get("category").asText()).isEqualTo("invoice_number");
            assertThat(kept.get("rule").asText()).isEqualTo("categories.invoice_number");
            assertThat(kept.get("values").asInt()).isEqualTo(1);
            assertThat(Instant.parse(kept.get("until").asText())).isEqualTo(until);
            String holdId = kept.get("holdId").asText();
            assertThat(rowsOf(receipt, "personal_values")).isEqualTo(valuesBefore - 1); // the invoice is kept
            // the email is gone, the invoice number stays sealed: nowhere in plaintext
            assertThat(lethe.strings(
                            "select category from personal_values where subject_id = ?",
                            java.util.UUID.fromString(zebulon)))
                    .containsExactly("invoice_number");
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                assertThat(cell.text()).as(cell.toString()).doesNotContain(EMAIL, INVOICE, "zebulon.invoiced");
            assertThat(lethe.count("select count(*) from identifiers where subject_id = ?", uuid(zebulon)))
                    .isZero();
            assertThat(lethe.count("select count(*) from rule_holds where hold_id = ?", uuid(holdId)))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from held_keys where hold_id = ?", uuid(holdId)))
                    .isEqualTo(1);
            // it opens through the rule hold's key alone: the person's keys are gone
            assertThat(lethe.count("select count(*) from subject_keys where subject_id = ?", uuid(zebulon)))
                    .isZero();
            assertThat(openKept(lethe, a.id(), zebulon)).isEqualTo(INVOICE);
            assertThat(http.get("/v1/erasures/" + receipt.get("erasureId").asText(), key)
                            .json()
                            .get("kept"))
                    .isEqualTo(receipt.get("kept"));

            // the day before: a preview and the sweep keep it
            Instant dayBefore = until.minus(java.time.Duration.ofDays(1));
            var early = preview(lethe, key, dayBefore);
            assertThat(affected(early, "categories.invoice_number")).isZero();
            lethe.clock().set(dayBefore);
            var kept1 = sweep(lethe, key);
            assertThat(affected(kept1, "categories.invoice_number")).isZero();
            assertThat(openKept(lethe, a.id(), zebulon)).isEqualTo(INVOICE);

            // the day after: the preview says what the sweep then does
            Instant dayAfter = until.plus(java.time.Duration.ofDays(1));
            var forecast = preview(lethe, key, dayAfter);
            assertThat(affected(forecast, "categories.invoice_number")).isEqualTo(1);
            assertThat(rule(forecast, "categories.invoice_number")
                            .get("derived")
                            .asLong())
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from held_keys where hold_id = ?", uuid(holdId)))
                    .isEqualTo(1);
            lethe.clock().set(dayAfter);
            var swept = sweep(lethe, key);
            assertThat(withoutTimes(swept.get("rules"))).isEqualTo(withoutTimes(forecast.get("rules")));
            assertThat(affected(swept, "categories.invoice_number")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from personal_values where subject_id = ?", uuid(zebulon)))
                    .isZero();
            for (String table : new String[] {"rule_holds", "held_keys", "hold_keys"})
                assertThat(lethe.count("select count(*) from " + table + " where hold_id = ?", uuid(holdId)))
                        .as(table)
                        .isZero();
            // the other customer's invoice number is theirs: no rule reached it
            assertThat(lethe.count(
                            "select count(*) from personal_values where subject_id = ? and category = 'invoice_number'",
                            uuid(yolanda)))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aRecordRuleCannotCountFromTheErasure(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var r = lethe.http()
                    .putYaml(
                            "/v1/policy",
                            a.adminKey(),
                            POLICY.replace(
                                    "event: { kind: event, retention: { period: P2Y, after: collected } }",
                                    "event: { kind: event, retention: { period: P2Y, after: [collected, erased] } }"));

            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("errors")).hasSize(1);
            assertThat(r.json().get("errors").get(0).get("path").asText()).isEqualTo("records.event.retention.after");
            assertThat(lethe.http().get("/v1/policy", a.adminKey()).status()).isEqualTo(404);
        }
    }

    private static String identify(TestLethe lethe, String key, String visitor, String email, String invoice) {
        var r = lethe.http().post("/v1/identify", key, """
                {"visitorId": "%s", "identifiers": {"email": "%s"}, "traits": {"name": "Z Q", "invoice": "%s"}}
                """.formatted(visitor, email, invoice));
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("profileId").asText();
    }

    private static JsonNode preview(TestLethe lethe, String key, Instant asOf) {
        var r = lethe.http().post("/v1/sweeps", key, "{\"dryRun\": true, \"asOf\": \"" + asOf + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode sweep(TestLethe lethe, String key) {
        var r = lethe.http().post("/v1/sweeps", key, "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).as(r.toString()).isEqualTo("succeeded");
        return r.json();
    }

    private static JsonNode rule(JsonNode report, String name) {
        for (var r : report.get("rules")) if (r.get("rule").asText().equals(name)) return r;
        throw new AssertionError("no rule " + name + " in " + report);
    }

    private static long affected(JsonNode report, String name) {
        return rule(report, name).get("affected").asLong();
    }

    /** The report's rules without their timings, to compare two reports. */
    private static JsonNode withoutTimes(JsonNode rules) {
        var copy = (com.fasterxml.jackson.databind.node.ArrayNode) rules.deepCopy();
        copy.forEach(r -> ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("millis"));
        return copy;
    }

    private static int rowsOf(JsonNode receipt, String table) {
        for (var t : receipt.get("tables"))
            if (t.get("table").asText().equals(table)) return t.get("rows").asInt();
        throw new AssertionError("no table " + table);
    }

    /** The erased person's kept value, opened with the keyring from its raw row. */
    private static String openKept(TestLethe lethe, String accountId, String subjectId) {
        return Jdbi.create(lethe.jdbcUrl()).withHandle(h -> {
            var row = h.createQuery("select key_id, category, value_id, ciphertext from personal_values"
                            + " where subject_id = :subject")
                    .bind("subject", uuid(subjectId))
                    .mapToMap()
                    .one();
            byte[] plain = lethe.lethe()
                    .keyring()
                    .open(
                            h,
                            accountId,
                            String.valueOf(row.get("key_id")),
                            String.valueOf(row.get("category")),
                            String.valueOf(row.get("value_id")),
                            (byte[]) row.get("ciphertext"));
            return new String(plain, StandardCharsets.UTF_8);
        });
    }

    private static java.util.UUID uuid(String id) {
        return java.util.UUID.fromString(id);
    }
}
