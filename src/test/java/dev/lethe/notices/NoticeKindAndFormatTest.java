package dev.lethe.notices;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NoticeKindAndFormatTest {

    @Test
    void noticeKindsAreNamedInUrlsByTheirWireNames() {
        assertThat(NoticeKind.RETENTION.wireName()).isEqualTo("retention");
        assertThat(NoticeKind.SUBPROCESSORS.wireName()).isEqualTo("subprocessors");
        assertThat(NoticeKind.CATEGORIES.wireName()).isEqualTo("categories");
        assertThat(NoticeKind.COOKIES.wireName()).isEqualTo("cookies");
        for (NoticeKind kind : NoticeKind.values())
            assertThat(NoticeKind.fromWire(kind.wireName())).contains(kind);
        assertThat(NoticeKind.fromWire("privacy")).isEmpty();
        assertThat(NoticeKind.fromWire(null)).isEmpty();
    }

    @Test
    void formatsAreChosenByTheirShortNames() {
        assertThat(NoticeFormat.fromWire("md")).contains(NoticeFormat.MARKDOWN);
        assertThat(NoticeFormat.fromWire("markdown")).contains(NoticeFormat.MARKDOWN);
        assertThat(NoticeFormat.fromWire("html")).contains(NoticeFormat.HTML);
        assertThat(NoticeFormat.fromWire("JSON")).contains(NoticeFormat.JSON);
        assertThat(NoticeFormat.fromWire("pdf")).isEmpty();
    }

    @Test
    void eachFormatHasItsContentType() {
        assertThat(NoticeFormat.MARKDOWN.mediaType()).isEqualTo("text/markdown; charset=utf-8");
        assertThat(NoticeFormat.HTML.mediaType()).isEqualTo("text/html; charset=utf-8");
        assertThat(NoticeFormat.JSON.mediaType()).isEqualTo("application/json");
    }

    @Test
    void aBrowsersAcceptHeaderGetsHtml() {
        assertThat(NoticeFormat.fromAccept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
                .contains(NoticeFormat.HTML);
    }

    @Test
    void theHighestQualityWinsAndZeroRefuses() {
        assertThat(NoticeFormat.fromAccept("text/html;q=0.5, text/markdown")).contains(NoticeFormat.MARKDOWN);
        assertThat(NoticeFormat.fromAccept("application/json;q=0, */*")).contains(NoticeFormat.HTML);
        assertThat(NoticeFormat.fromAccept("application/json; charset=utf-8")).contains(NoticeFormat.JSON);
    }

    @Test
    void aWildcardPrefersJsonAndTextPrefersHtml() {
        assertThat(NoticeFormat.fromAccept("*/*")).contains(NoticeFormat.JSON);
        assertThat(NoticeFormat.fromAccept("text/*")).contains(NoticeFormat.HTML);
    }

    @Test
    void noAcceptableFormatOrNoHeaderGivesNothing() {
        assertThat(NoticeFormat.fromAccept("image/png")).isEqualTo(Optional.empty());
        assertThat(NoticeFormat.fromAccept(null)).isEmpty();
        assertThat(NoticeFormat.fromAccept("  ")).isEmpty();
        assertThat(NoticeFormat.fromAccept("garbage;;q=x")).isEmpty();
    }
}
