package dev.lethe.notices;

import static dev.lethe.notices.NoticeFixtures.json;
import static dev.lethe.notices.NoticeFixtures.policy;
import static dev.lethe.notices.NoticeFixtures.render;
import static dev.lethe.notices.NoticeFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class CookieNoticeTest {

    private final JsonNode notice = json(policy(), NoticeKind.COOKIES);

    @Test
    void groupsCookiesByCategoryInTheOrderOfConsentPurposes() {
        assertThat(notice.get("sections"))
                .extracting(s -> s.get("heading").asText())
                .containsExactly("Required", "Functionality", "Performance", "Targeting or advertising");
    }

    @Test
    void givesEachCookiesProviderPurposeAndDuration() {
        JsonNode ga = row(notice, "performance", "_ga");
        assertThat(ga.get("provider").asText()).isEqualTo("Google Analytics");
        assertThat(ga.get("purpose").asText()).isEqualTo("Site usage statistics");
        assertThat(ga.get("duration").asText()).isEqualTo("1 year");
        assertThat(row(notice, "targeting", "IDE").get("duration").asText()).isEqualTo("540 days");
        assertThat(row(notice, "functionality", "zebulon_lang").get("duration").asText())
                .isEqualTo("6 months");
    }

    @Test
    void callsABrowserSessionCookieASessionCookie() {
        assertThat(row(notice, "required", "zebulon_session").get("duration").asText())
                .isEqualTo("Session");
        assertThat(render(policy(), NoticeKind.COOKIES, NoticeFormat.MARKDOWN))
                .contains("| zebulon\\_session | Zebulon Advocacy NV | Keeps you logged in | Session |")
                .contains("A session cookie is removed when the browser is closed.");
    }

    @Test
    void saysSoWhenNoCookiesArePlaced() {
        var none = NoticeFixtures.policy(NoticeFixtures.POLICY.substring(0, NoticeFixtures.POLICY.indexOf("cookies:")));
        JsonNode empty = json(none, NoticeKind.COOKIES);
        assertThat(empty.get("sections")).isEmpty();
        assertThat(render(none, NoticeKind.COOKIES, NoticeFormat.HTML))
                .contains("<p>Zebulon Advocacy NV places no cookies.</p>");
    }
}
