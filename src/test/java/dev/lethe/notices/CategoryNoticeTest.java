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

class CategoryNoticeTest {

    private final JsonNode notice = json(policy(), NoticeKind.CATEGORIES);

    @Test
    void hasOneTablePerSubjectTypeIntroducedByItsDescription() {
        assertThat(notice.get("sections"))
                .extracting(s -> s.get("heading").asText())
                .containsExactly("Advocates", "Managers");
        assertThat(texts(notice.get("sections").get(0).get("intro")))
                .containsExactly("Community members who share content");
        assertThat(rows(notice, "advocate"))
                .extracting(r -> r.get("id").asText())
                .containsExactly("email_address", "ip_address", "birth_date");
        assertThat(rows(notice, "manager"))
                .extracting(r -> r.get("id").asText())
                .containsExactly("email_address", "ip_address");
    }

    @Test
    void givesPurposeLawfulBasisSourceAndRetentionInWords() {
        JsonNode email = row(notice, "advocate", "email_address");
        assertThat(email.get("data").asText()).isEqualTo("email address");
        assertThat(email.get("purpose").asText()).isEqualTo("Identification");
        assertThat(email.get("description").asText()).isEqualTo("Login and primary contact");
        assertThat(email.get("lawfulBasis").asText()).isEqualTo("Contractual necessity");
        assertThat(email.get("source").asText()).isEqualTo("User-completed form");
        assertThat(email.get("retention").asText()).isEqualTo("3 years after date of collection or communication");
        assertThat(email.get("required").asBoolean()).isTrue();
    }

    @Test
    void foldsInWhatDiffersForOneSubjectType() {
        assertThat(row(notice, "advocate", "ip_address").get("source").asText()).isEqualTo("API");
        assertThat(row(notice, "advocate", "ip_address").get("retention").asText())
                .startsWith("120 days after");
        assertThat(row(notice, "manager", "ip_address").get("source").asText()).isEqualTo("User-completed form");
        assertThat(row(notice, "manager", "ip_address").get("retention").asText())
                .startsWith("1 year after");
    }

    @Test
    void marksOptionalDataAndExplainsIt() {
        JsonNode birthDate = row(notice, "advocate", "birth_date");
        assertThat(birthDate.get("data").asText()).isEqualTo("birth date (optional)");
        assertThat(birthDate.get("required").asBoolean()).isFalse();
        assertThat(birthDate.get("lawfulBasis").asText()).isEqualTo("Consent of the data subject");
        assertThat(birthDate.get("retention").asText())
                .isEqualTo("2 years after contract termination or 18 months of inactivity");
        assertThat(render(policy(), NoticeKind.CATEGORIES, NoticeFormat.MARKDOWN))
                .contains("| birth date (optional) | Segmentation |")
                .contains("| Optional |");
        assertThat(texts(notice.get("footnotes")))
                .anySatisfy(note -> assertThat(note).startsWith("Optional data"));
    }

    @Test
    void leavesOutACategoryThatIsSwitchedOffInEveryFormat() {
        assertThat(rows(notice, "advocate"))
                .extracting(r -> r.get("id").asText())
                .doesNotContain("shoe_size");
        for (NoticeFormat format : NoticeFormat.values()) {
            assertThat(render(policy(), NoticeKind.CATEGORIES, format)).doesNotContain("zebulon shoe size");
        }
    }

    @Test
    void saysThatConsentCanBeWithdrawnWhenSomeDataRestsOnConsent() {
        assertThat(texts(notice.get("footnotes")))
                .anySatisfy(note -> assertThat(note).contains("withdrawing consent"));
    }
}
