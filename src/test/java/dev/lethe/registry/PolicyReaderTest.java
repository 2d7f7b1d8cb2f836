package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.errors.FieldError;
import java.time.Period;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyReaderTest {

    static final String VALID = PolicyRegistryApiTest.SMALL_POLICY;

    @Test
    void aValidPolicyReadsWithItsDefaultsSpelledOut() {
        var result = PolicyReader.read(VALID);

        assertThat(result.errors()).isEmpty();
        var p = result.policy();
        assertThat(p.categories()).containsOnlyKeys("email_address", "ip_address");
        var ip = p.categories().get("ip_address");
        assertThat(ip.retention().period()).isEqualTo(Period.ofDays(120));
        assertThat(ip.retention().after()).containsExactly(new Trigger.Collected());
        assertThat(ip.retention().then()).isEqualTo(Action.DELETE);
        assertThat(ip.required()).isTrue();
        assertThat(ip.title()).isEqualTo("ip address");
        assertThat(p.records().keySet()).containsExactly("complete_session", "session_summary");
        assertThat(p.consentAge().defaultAge()).isEqualTo(16);
    }

    @Test
    void theCanonicalFormReadsBackToTheSamePolicy() {
        var p = PolicyReader.read(VALID).policy();

        var again = PolicyReader.read(PolicyWriter.json(p), true);

        assertThat(again.errors()).isEmpty();
        assertThat(again.policy()).isEqualTo(p);
        assertThat(PolicyDiff.between(p, again.policy()).isEmpty()).isTrue();
    }

    @Test
    void jsonIsAcceptedAsWellAsYaml() {
        var json = PolicyWriter.json(PolicyReader.read(VALID).policy());

        assertThat(PolicyReader.read(json, false).errors()).isEmpty();
    }

    @Test
    void aCategoryOrRecordWithoutRetentionIsRefused() {
        var text = VALID.replace("    retention: { period: P3Y, after: collected }\n", "")
                .replace(
                        "session_summary: { kind: session_summary, retention: { period: P1Y } }",
                        "session_summary: { kind: session_summary }");

        assertThat(paths(text))
                .containsExactlyInAnyOrder("categories.email_address.retention", "records.session_summary.retention");
    }

    @Test
    void namesThatReferToNothingAreRefused() {
        var text = VALID.replace(
                        "subjects: [visitor]\n    retention: { period: P120D }",
                        "subjects: [visitor, robot]\n    retention: { period: P120D }")
                .replace("context.ip: ip_address", "context.ip: ip_adress")
                .replace(
                        "categories: { visitor: [email_address, ip_address] }",
                        "categories: { visitor: [email_address, birth_date], manager: [email_address] }");

        assertThat(errors(text))
                .extracting(FieldError::path)
                .containsExactlyInAnyOrder(
                        "categories.ip_address.subjects[1]",
                        "fields.context.ip",
                        "processors[0].categories.visitor[1]",
                        "processors[0].categories.manager");
    }

    @Test
    void aTransferOutsideTheEeaNeedsASafeguardButOneInsideDoesNot() {
        assertThat(paths(VALID.replace("    safeguards: [SCC]\n", ""))).containsExactly("processors[0].safeguards");
        assertThat(paths(VALID.replace("    safeguards: [SCC]\n", "").replace("location: US", "location: DE")))
                .isEmpty();
        assertThat(paths(VALID.replace("safeguards: [SCC]", "safeguards: [pinky_promise]")))
                .containsExactly("processors[0].safeguards[0]");
    }

    @Test
    void norwayIsACountryNotABoolean() {
        var text = VALID.replace("    safeguards: [SCC]\n", "").replace("location: US", "location: NO");

        assertThat(paths(text)).isEmpty();
        assertThat(PolicyReader.read(text).policy().processors().get(0).location())
                .isEqualTo("NO");
    }

    @Test
    void unknownWordsAreNamedWithTheAllowedOnes() {
        var text = VALID.replace("source: user_form", "source: carrier_pigeon")
                .replace("kind: session_summary", "kind: sesion_summary")
                .replace("then: summarise", "then: forget");

        var errors = errors(text);

        assertThat(errors)
                .extracting(FieldError::path)
                .containsExactlyInAnyOrder(
                        "categories.email_address.source",
                        "records.session_summary.kind",
                        "records.complete_session.retention.then");
        assertThat(errors.get(0).message()).contains("user_form", "api");
    }

    @Test
    void duplicateNamesAreRefusedWherever() {
        var text = VALID.replace("  ip_address:\n", "  email_address:\n    purpose: again\n  ip_address:\n") + """
            cookies:
              - { name: _ga, provider: Google, category: performance, duration: P1Y, purpose: stats }
              - { name: _ga, provider: Google, category: performance, duration: session, purpose: stats }
            """;

        assertThat(paths(text)).contains("categories.email_address", "cookies[1].name");
    }

    @Test
    void onlySessionsCanBeSummarisedAndOnlyOptionalCategoriesSwitchedOff() {
        var text = VALID.replace("retention: { period: P1Y } }", "retention: { period: P1Y, then: summarise } }")
                .replace("source: tracking", "source: tracking\n    enabled: false");

        assertThat(paths(text))
                .containsExactlyInAnyOrder("records.session_summary.retention.then", "categories.ip_address.enabled");
        assertThat(paths(text.replace("enabled: false", "enabled: false\n    required: false")))
                .containsExactly("records.session_summary.retention.then");
    }

    @Test
    void triggersMayBeAListMeaningWhicheverComesFirst() {
        var text = VALID.replace(
                "retention: { period: P1Y } }",
                "retention: { period: P30D, after: [contract_ended, inactive P18M] } }");

        var rule = PolicyReader.read(text)
                .policy()
                .records()
                .get("session_summary")
                .retention();

        assertThat(rule.after())
                .containsExactly(new Trigger.ContractEnded(), new Trigger.Inactive(Period.ofMonths(18)));
        assertThat(paths(text.replace("inactive P18M", "inactive soon")))
                .containsExactly("records.session_summary.retention.after[1]");
    }

    @Test
    void erasedKeepsValuesOfACategoryButNoRecordPastAnErasure() {
        var category = VALID.replace(
                "retention: { period: P3Y, after: collected }",
                "retention: { period: P10Y, after: [erased, collected] }");
        assertThat(paths(category)).isEmpty();
        assertThat(PolicyReader.read(category)
                        .policy()
                        .categories()
                        .get("email_address")
                        .retention()
                        .after())
                .containsExactly(new Trigger.Erased(), new Trigger.Collected());

        var record = VALID.replace(
                "retention: { period: P1Y } }", "retention: { period: P1Y, after: [collected, erased] } }");
        assertThat(PolicyReader.read(record).errors()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("records.session_summary.retention.after");
            assertThat(e.message()).contains("cannot apply to records").contains("category");
        });
        // with no period it says what an erasure does anyway: accepted
        assertThat(paths(record.replace("period: P1Y, after: [collected, erased]", "period: P0D, after: erased")))
                .isEmpty();
    }

    @Test
    void brokenYamlIsOneErrorWithItsLine() {
        var errors = errors("lethe: 1\ncontroller: { name: x\n  contact: [");

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).contains("line");
    }

    @Test
    void contentAfterTheDocumentIsRefusedNotIgnored() {
        assertThat(paths(VALID + "---\nunknownKey: 1\n")).containsExactly("");
        assertThat(errors(VALID + "---\nunknownKey: 1\n").get(0).message()).contains("one document only");
        assertThat(paths(PolicyWriter.json(PolicyReader.read(VALID).policy()) + " garbage"))
                .containsExactly("");
    }

    @Test
    void onlySessionRecordsCanBeSummarisedNotCategoriesAndTheRegionIsKnown() {
        var text = VALID.replace("retention: { period: P120D }", "retention: { period: P120D, then: summarise }")
                .replace(
                        "contact: \"privacy@zebulon.example\" }",
                        "contact: \"privacy@zebulon.example\", region: Europe }");

        assertThat(paths(text)).containsExactlyInAnyOrder("categories.ip_address.retention.then", "controller.region");
    }

    @Test
    void yamlAnchorsAliasesTagsAndMergeKeysAreRefusedWithTheirPaths() {
        var text = VALID.replace(
                        "controller: { name: \"Zebulon Shop BV\", contact: \"privacy@zebulon.example\" }",
                        "controller: { name: &n \"Zebulon Shop BV\", contact: \"privacy@zebulon.example\", address: *n }")
                .replace("purpose: security", "purpose: !!str security")
                .replace("  ip_address:\n", "  ip_address: &ip\n")
                .replace("records:\n", "records:\n  base: &rule { kind: event }\n  events:\n    <<: *rule\n");

        var errors = errors(text);

        assertThat(paths(text))
                .containsExactlyInAnyOrder(
                        "controller.name",
                        "controller.address",
                        "categories.ip_address",
                        "categories.ip_address.purpose",
                        "records.base",
                        "records.events.<<");
        assertThat(errors).allSatisfy(e -> assertThat(e.message()).containsAnyOf("anchor", "alias", "tag", "merge"));
        assertThat(PolicyReader.read(text).policy()).isNull();
    }

    @Test
    void anAliasIsNeverReadAsTheAnchorsName() {
        var text = VALID.replace(
                "controller: { name: \"Zebulon Shop BV\", contact: \"privacy@zebulon.example\" }",
                "controller: { name: &n \"Zebulon Shop BV\", contact: \"privacy@zebulon.example\", address: *n }");

        assertThat(paths(text)).contains("controller.address");
    }

    @Test
    void consentAgesAreBoundToTheirLegalRange() {
        var text = VALID.replace(
                "controller:",
                "consentAge: { default: 9, byCountry: { BE: 12, FR: 17, IN: 18, US: 13, KR: 19 } }\ncontroller:");

        var errors = errors(text);

        assertThat(errors)
                .extracting(FieldError::path)
                .containsExactlyInAnyOrder(
                        "consentAge.default",
                        "consentAge.byCountry.BE",
                        "consentAge.byCountry.FR",
                        "consentAge.byCountry.KR");
        assertThat(errors.get(0).message()).contains("13", "16");
        assertThat(paths(VALID.replace(
                        "controller:", "consentAge: { default: 13, byCountry: { DE: 16, IN: 18 } }\ncontroller:")))
                .isEmpty();
    }

    @Test
    void countryCodesAreIsoCodes() {
        var text = VALID.replace(
                        "controller:", "consentAge: { default: 16, byCountry: { XX: 13, BE: 13 } }\ncontroller:")
                .replace("location: US", "location: ZZ")
                .replace(
                        "contact: \"privacy@zebulon.example\" }", "contact: \"privacy@zebulon.example\", region: QQ }");

        var errors = errors(text);

        assertThat(errors)
                .extracting(FieldError::path)
                .containsExactlyInAnyOrder("consentAge.byCountry.XX", "processors[0].location", "controller.region");
        assertThat(errors).allSatisfy(e -> assertThat(e.message()).contains("ISO 3166-1"));
    }

    @Test
    void aCookieWithTwoMistakesNamesBoth() {
        var text = VALID + """
            cookies:
              - { name: _ga, category: performance, duration: forever, purpose: stats }
              - { name: _gid, provider: Google, category: tasty, duration: P1D }
            """;

        assertThat(paths(text))
                .containsExactlyInAnyOrder(
                        "cookies[0].provider", "cookies[0].duration", "cookies[1].category", "cookies[1].purpose");
    }

    private static List<FieldError> errors(String text) {
        return PolicyReader.read(text).errors();
    }

    private static List<String> paths(String text) {
        return errors(text).stream().map(FieldError::path).distinct().toList();
    }
}
