package dev.lethe.notices;

import static dev.lethe.notices.NoticeFixtures.json;
import static dev.lethe.notices.NoticeFixtures.policy;
import static dev.lethe.notices.NoticeFixtures.render;
import static dev.lethe.notices.NoticeFixtures.row;
import static dev.lethe.notices.NoticeFixtures.rows;
import static dev.lethe.notices.NoticeFixtures.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SubprocessorNoticeTest {

    private final JsonNode notice = json(policy(), NoticeKind.SUBPROCESSORS);

    @Test
    void listsEveryProcessorWithWhoWhereWhyAndHow() {
        assertThat(rows(notice, "processors"))
                .extracting(r -> r.get("company").asText())
                .containsExactly("Zebulon Hosting Inc.", "Zebulon Texts BV");
        JsonNode hosting = row(notice, "processors", "Zebulon Hosting Inc.");
        assertThat(hosting.get("address").asText()).isEqualTo("1 Example Street, Seattle, WA, USA");
        assertThat(hosting.get("purpose").asText()).isEqualTo("Hosting");
        assertThat(hosting.get("location").asText()).isEqualTo("United States");
        assertThat(texts(hosting.get("safeguards"))).containsExactly("Standard contractual clauses (SCC)");
        assertThat(hosting.get("measures").asText()).isEqualTo("https://hosting.example.org/toms");
    }

    @Test
    void saysNoSafeguardIsNeededForATransferWithinTheEea() {
        assertThat(texts(row(notice, "processors", "Zebulon Texts BV").get("safeguards")))
                .isEmpty();
        assertThat(render(policy(), NoticeKind.SUBPROCESSORS, NoticeFormat.MARKDOWN))
                .contains("| Netherlands | Not needed (within the EEA) |");
    }

    @Test
    void groupsTheCategoriesItReceivesBySubjectType() {
        JsonNode data = row(notice, "processors", "Zebulon Hosting Inc.").get("data");
        assertThat(texts(data.get("advocate"))).containsExactly("email address", "IP address");
        assertThat(texts(data.get("manager"))).containsExactly("IP address");
        assertThat(render(policy(), NoticeKind.SUBPROCESSORS, NoticeFormat.MARKDOWN))
                .contains("| Advocates: email address, IP address; Managers: IP address |");
    }

    @Test
    void marksOptionalProcessorsAndExplainsTheDifference() {
        assertThat(row(notice, "processors", "Zebulon Hosting Inc.")
                        .get("required")
                        .asBoolean())
                .isTrue();
        assertThat(row(notice, "processors", "Zebulon Texts BV").get("required").asBoolean())
                .isFalse();
        assertThat(render(policy(), NoticeKind.SUBPROCESSORS, NoticeFormat.MARKDOWN))
                .containsPattern("\\| Zebulon Texts BV \\|.*\\| Optional \\|")
                .containsPattern("\\| Zebulon Hosting Inc\\. \\|.*\\| Required \\|");
        assertThat(texts(notice.get("footnotes")))
                .anySatisfy(note -> assertThat(note).contains("Optional ones").contains("may refuse"));
    }

    @Test
    void doesNotListACategoryThatIsSwitchedOff() {
        assertThat(texts(row(notice, "processors", "Zebulon Texts BV")
                        .get("data")
                        .get("advocate")))
                .containsExactly("birth date");
        assertThat(render(policy(), NoticeKind.SUBPROCESSORS, NoticeFormat.HTML))
                .doesNotContain("zebulon shoe size");
    }

    @Test
    void saysSoWhenThereAreNoProcessors() {
        var none =
                NoticeFixtures.policy(NoticeFixtures.POLICY.substring(0, NoticeFixtures.POLICY.indexOf("processors:"))
                        + NoticeFixtures.POLICY.substring(NoticeFixtures.POLICY.indexOf("cookies:")));
        assertThat(rows(json(none, NoticeKind.SUBPROCESSORS), "processors")).isEmpty();
        assertThat(render(none, NoticeKind.SUBPROCESSORS, NoticeFormat.MARKDOWN))
                .contains("## Sub-processors\n\nNone.");
    }
}
