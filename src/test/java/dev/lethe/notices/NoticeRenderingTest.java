package dev.lethe.notices;

import static dev.lethe.notices.NoticeFixtures.json;
import static dev.lethe.notices.NoticeFixtures.policy;
import static dev.lethe.notices.NoticeFixtures.render;
import static dev.lethe.notices.NoticeFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NoticeRenderingTest {

    @ParameterizedTest
    @EnumSource(NoticeKind.class)
    void everyNoticeStatesTheControllerThePolicyVersionAndSinceWhenInEveryFormat(NoticeKind kind) {
        for (NoticeFormat format : NoticeFormat.values()) {
            assertThat(render(policy(), kind, format))
                    .as("%s in %s", kind, format)
                    .contains("Zebulon Advocacy NV")
                    .contains("privacy@zebulon.example.org")
                    .contains("version 7 of the data policy, in force since 14 March 2026, 09:26 UTC");
        }
        JsonNode json = json(policy(), kind);
        assertThat(json.get("notice").asText()).isEqualTo(kind.wireName());
        assertThat(json.get("policyVersion").asInt()).isEqualTo(7);
        assertThat(json.get("since").asText()).isEqualTo("2026-03-14T09:26:53Z");
        assertThat(json.get("controller").get("name").asText()).isEqualTo("Zebulon Advocacy NV");
        assertThat(json.get("controller").get("contact").asText()).isEqualTo("privacy@zebulon.example.org");
        assertThat(json.get("controller").get("address").asText()).isEqualTo("Zebulonstraat 1, Gent, BE");
    }

    @Test
    void aControllerOverrideReplacesTheNameButKeepsThePolicysContact() {
        var ctx = new NoticeContext("Zebulon Group", 2, Instant.parse("2026-01-01T00:00:00Z"));
        String md = new Notices().render(policy(), NoticeKind.RETENTION, NoticeFormat.MARKDOWN, ctx);
        assertThat(md)
                .contains("Data controller: Zebulon Group (Zebulonstraat 1, Gent, BE)")
                .contains("privacy@zebulon.example.org")
                .doesNotContain("Zebulon Advocacy NV");
    }

    @Test
    void htmlEscapesEveryTextFromThePolicy() {
        String html = render(policy(), NoticeKind.CATEGORIES, NoticeFormat.HTML);
        assertThat(html)
                .doesNotContain("<script>")
                .contains("Stored for debugging &lt;script&gt;alert(&#39;zebulon&#39;)&lt;/script&gt; | not a column");
        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains("<th scope=\"col\" data-key=\"lawfulBasis\">Lawful basis</th>");
    }

    @Test
    void markdownEscapesMarkupAndKeepsAPipeInsideItsCell() {
        String md = render(policy(), NoticeKind.CATEGORIES, NoticeFormat.MARKDOWN);
        assertThat(md).doesNotContain("<script>").contains("\\<script\\>").contains("\\| not a column");
        var ipRow = md.lines()
                .filter(l -> l.startsWith("| IP address |"))
                .findFirst()
                .orElseThrow();
        assertThat(cells(ipRow)).hasSize(7);
    }

    @Test
    void markdownTablesHaveTheNoticesColumns() {
        assertThat(headerRows(render(policy(), NoticeKind.RETENTION, NoticeFormat.MARKDOWN)))
                .containsOnly(List.of("Data", "Applies to", "Counted from", "Kept for", "Then"));
        assertThat(headerRows(render(policy(), NoticeKind.CATEGORIES, NoticeFormat.MARKDOWN)))
                .containsOnly(List.of(
                        "Data",
                        "Purpose",
                        "Description",
                        "Lawful basis",
                        "Source",
                        "Retention",
                        "Required or optional"));
        assertThat(headerRows(render(policy(), NoticeKind.SUBPROCESSORS, NoticeFormat.MARKDOWN)))
                .containsOnly(List.of(
                        "Company",
                        "Address",
                        "Purpose",
                        "Data location",
                        "Safeguards",
                        "Security measures",
                        "Personal data received",
                        "Required or optional"));
        assertThat(headerRows(render(policy(), NoticeKind.COOKIES, NoticeFormat.MARKDOWN)))
                .containsOnly(List.of("Name", "Provider", "Purpose", "Duration"));
    }

    @ParameterizedTest
    @EnumSource(NoticeKind.class)
    void theThreeFormatsShowTheSameRows(NoticeKind kind) {
        JsonNode json = json(policy(), kind);
        String md = render(policy(), kind, NoticeFormat.MARKDOWN);
        String html = render(policy(), kind, NoticeFormat.HTML);
        int tableRows = 0;
        for (JsonNode section : json.get("sections")) {
            for (JsonNode row : section.get("rows")) {
                tableRows++;
                assertThat(html)
                        .contains("<tr data-id=\""
                                + HtmlRenderer.escape(row.get("id").asText()) + "\">");
            }
            assertThat(md).contains("## " + section.get("heading").asText());
            assertThat(html)
                    .contains(
                            "<h2>" + HtmlRenderer.escape(section.get("heading").asText()) + "</h2>");
        }
        long mdRows = md.lines().filter(l -> l.startsWith("| ")).count()
                - 2L * json.get("sections").size();
        assertThat(mdRows).isEqualTo(tableRows);
        assertThat(Pattern.compile("<tr data-id=").matcher(html).results().count())
                .isEqualTo(tableRows);
    }

    @Test
    void jsonRowsCarryEveryColumnKeyAndTheRowId() {
        JsonNode json = json(policy(), NoticeKind.RETENTION);
        JsonNode section = json.get("sections").get(0);
        var keys = new ArrayList<String>();
        section.get("columns").forEach(c -> keys.add(c.get("key").asText()));
        assertThat(keys).containsExactly("data", "scope", "trigger", "period", "action");
        for (JsonNode row : rows(json, "records")) {
            var fields = new ArrayList<String>();
            row.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("id", "data", "scope", "trigger", "period", "action");
        }
    }

    private static List<List<String>> headerRows(String markdown) {
        var lines = markdown.lines().toList();
        var headers = new ArrayList<List<String>>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i + 1).startsWith("| --- |")) headers.add(cells(lines.get(i)));
        }
        assertThat(headers).isNotEmpty();
        return headers;
    }

    /** The cells of a Markdown table row, split on pipes that are not escaped. */
    private static List<String> cells(String line) {
        String inner = line.substring(2, line.length() - 2);
        return Arrays.stream(inner.split("(?<!\\\\) \\| ")).toList();
    }
}
