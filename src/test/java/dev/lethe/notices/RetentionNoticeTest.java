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

class RetentionNoticeTest {

    private final JsonNode notice = json(policy(), NoticeKind.RETENTION);

    @Test
    void listsEveryRecordRuleOnceInThePolicysOrder() {
        assertThat(rows(notice, "records"))
                .extracting(r -> r.get("id").asText())
                .containsExactly(
                        "complete_session",
                        "chat_content",
                        "email_content_smtp",
                        "email_content_http",
                        "campaigns",
                        "traffic",
                        "audit_copies",
                        "profile");
    }

    @Test
    void saysWhatARecordRuleCoversInPlainWords() {
        assertThat(texts(row(notice, "records", "chat_content").get("scope")))
                .containsExactly("Answers", "Conversations");
        assertThat(texts(row(notice, "records", "email_content_smtp").get("scope")))
                .containsExactly("email", "SMTP API");
        assertThat(texts(row(notice, "records", "profile").get("scope"))).isEmpty();
        assertThat(render(policy(), NoticeKind.RETENTION, NoticeFormat.MARKDOWN))
                .contains("| Chat content | Answers, Conversations |")
                .contains("| Email content | email, SMTP API |")
                .contains("| Profiles | All |");
    }

    @Test
    void saysWhenEachPeriodStartsInPlainWords() {
        assertThat(trigger("complete_session")).isEqualTo("Date of collection or communication");
        assertThat(trigger("chat_content")).isEqualTo("Date the conversation or chat started");
        assertThat(trigger("email_content_http"))
                .isEqualTo("Date the message was sent (the send-at date if scheduled)");
        assertThat(trigger("campaigns")).isEqualTo("Termination of the communication campaign");
        assertThat(trigger("audit_copies")).isEqualTo("Erasure of the person");
        assertThat(trigger("profile")).isEqualTo("Contract termination or 18 months of inactivity");
    }

    @Test
    void explainsThatSeveralTriggersMeanWhicheverComesFirst() {
        assertThat(texts(notice.get("footnotes")))
                .anySatisfy(note -> assertThat(note).contains("whichever comes first"));
    }

    @Test
    void givesThePeriodAndWhatHappensAtTheEnd() {
        assertThat(row(notice, "records", "chat_content").get("period").asText())
                .isEqualTo("6 months");
        assertThat(row(notice, "records", "profile").get("period").asText()).isEqualTo("30 days");
        assertThat(row(notice, "records", "traffic").get("period").asText()).isEqualTo("12 months");
        assertThat(row(notice, "records", "audit_copies").get("period").asText())
                .isEqualTo("immediately");
        assertThat(row(notice, "records", "traffic").get("action").asText()).isEqualTo("Anonymised");
        assertThat(row(notice, "records", "complete_session").get("action").asText())
                .isEqualTo("Replaced by its summary");
        assertThat(row(notice, "records", "profile").get("action").asText()).isEqualTo("Deleted");
    }

    @Test
    void listsEachCategoryForAllItsSubjectsWhenTheyShareOneRule() {
        JsonNode email = row(notice, "categories", "email_address");
        assertThat(email.get("data").asText()).isEqualTo("email address");
        assertThat(texts(email.get("scope"))).containsExactly("Advocates", "Managers");
        assertThat(email.get("period").asText()).isEqualTo("3 years");
    }

    @Test
    void splitsACategoryBySubjectTypeWhereAnOverrideChangesItsRetention() {
        assertThat(rows(notice, "categories"))
                .extracting(r -> r.get("id").asText())
                .contains("ip_address.advocate", "ip_address.manager")
                .doesNotContain("ip_address");
        assertThat(row(notice, "categories", "ip_address.advocate")
                        .get("period")
                        .asText())
                .isEqualTo("120 days");
        assertThat(texts(row(notice, "categories", "ip_address.manager").get("scope")))
                .containsExactly("Managers");
        assertThat(row(notice, "categories", "ip_address.manager").get("period").asText())
                .isEqualTo("1 year");
    }

    @Test
    void leavesOutACategoryThatIsSwitchedOff() {
        assertThat(rows(notice, "categories"))
                .extracting(r -> r.get("id").asText())
                .doesNotContain("shoe_size");
        for (NoticeFormat format : NoticeFormat.values()) {
            assertThat(render(policy(), NoticeKind.RETENTION, format)).doesNotContain("zebulon shoe size");
        }
    }

    private String trigger(String record) {
        return row(notice, "records", record).get("trigger").asText();
    }
}
