package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A version's text when Lethe adds or removes a custom field: the author's words, comments and all. */
class PolicyTextTest {

    static final String COMMENTED = "# Zebulon's policy 🦘\n"
            + PolicyReaderTest.VALID.replace("records:\n", "# the records, first match wins\nrecords:\n");

    static final CustomField TIER =
            new CustomField("tier", "Loyalty tier", "email_address", CustomField.Type.TEXT, true);
    static final CustomField WIDTH =
            new CustomField("shoe_width", "shoe width", "ip_address", CustomField.Type.NUMBER, false);

    @Test
    void aFieldAddedToADocumentWithoutCustomFieldsIsAppendedUnderTheAuthorsText() {
        var expected = read(COMMENTED).withCustomFields(Map.of("tier", TIER));

        var text = PolicyText.withCustomFields(COMMENTED, false, Map.of("tier", TIER), expected);

        assertThat(text).startsWith(COMMENTED).contains("customFields:\n  tier:\n");
        assertThat(read(text)).isEqualTo(expected);
    }

    @Test
    void aFieldAddedToTheAuthorsOwnCustomFieldsJoinsThemWithTheirIndentation() {
        var doc = COMMENTED.replace(
                "# the records", "customFields:\n    tier: { category: email_address } # ours\n# the records");
        var expected = read(doc).withCustomFields(Map.of("shoe_width", WIDTH));

        var text = PolicyText.withCustomFields(doc, false, Map.of("shoe_width", WIDTH), expected);

        assertThat(text)
                .contains("    tier: { category: email_address } # ours\n    shoe_width:\n", "# the records")
                .startsWith("# Zebulon's policy 🦘\n");
        assertThat(read(text)).isEqualTo(expected);
    }

    @Test
    void aFieldRemovedTakesOnlyItsOwnLines() {
        var doc = COMMENTED.replace(
                "# the records",
                "customFields:\n  tier:\n    category: email_address\n  shoe_width: { category: ip_address, type: number }\n# the records");
        var expected = read(doc).withoutCustomField("tier");

        var text = PolicyText.withoutCustomField(doc, false, "tier", expected);

        assertThat(text)
                .isEqualTo(doc.replace("  tier:\n    category: email_address\n", ""))
                .contains("# the records");
        assertThat(read(text)).isEqualTo(expected);
    }

    @Test
    void documentsOfOtherShapesAreRewrittenAndStillReadAsTheVersion() {
        var flow = PolicyWriter.json(read(PolicyReaderTest.VALID));
        var expected = read(flow).withCustomFields(Map.of("tier", TIER));

        var asYaml = PolicyText.withCustomFields(flow, false, Map.of("tier", TIER), expected);
        var asJson = PolicyText.withCustomFields(flow, true, Map.of("tier", TIER), expected);

        assertThat(read(asYaml)).isEqualTo(expected);
        assertThat(asJson).startsWith("{");
        assertThat(PolicyReader.read(asJson, true).policy()).isEqualTo(expected);
        assertThat(PolicyText.yaml(asJson, true)).doesNotStartWith("{").contains("customFields:");
    }

    private static Policy read(String text) {
        var r = PolicyReader.read(text);
        assertThat(r.errors()).isEmpty();
        return r.policy();
    }
}
