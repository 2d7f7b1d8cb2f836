package dev.lethe.notices;

import java.util.List;

/**
 * Prints a notice as a standalone HTML page. Every text, including attribute values, is escaped,
 * because policies are written by account admins and the page is shown to the public.
 */
final class HtmlRenderer implements NoticeRenderer {

    private static final String STYLE = """
      body{font-family:system-ui,sans-serif;line-height:1.5;margin:2rem;color:#1a1a1a}
      table{border-collapse:collapse;margin:1rem 0}
      th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}
      th{background:#f4f4f4}""";

    @Override
    public String render(Notice notice) {
        var out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>")
                .append(escape(notice.title()))
                .append(" — ")
                .append(escape(notice.controller().name()))
                .append("</title>\n")
                .append("<style>\n")
                .append(STYLE)
                .append("\n</style>\n</head>\n<body>\n")
                .append("<main class=\"lethe-notice\" data-notice=\"")
                .append(escape(notice.kind().wireName()))
                .append("\" data-policy-version=\"")
                .append(notice.policyVersion())
                .append("\" data-since=\"")
                .append(escape(notice.since().toString()))
                .append("\">\n")
                .append("<h1>")
                .append(escape(notice.title()))
                .append("</h1>\n");
        paragraphs(out, notice.intro());
        for (Notice.Section section : notice.sections()) section(out, section);
        if (!notice.footnotes().isEmpty()) {
            out.append("<section class=\"notes\">\n<h2>Notes</h2>\n<ol>\n");
            for (String note : notice.footnotes())
                out.append("<li>").append(escape(note)).append("</li>\n");
            out.append("</ol>\n</section>\n");
        }
        return out.append("</main>\n</body>\n</html>\n").toString();
    }

    private static void section(StringBuilder out, Notice.Section section) {
        out.append("<section data-key=\"")
                .append(escape(section.key()))
                .append("\">\n")
                .append("<h2>")
                .append(escape(section.heading()))
                .append("</h2>\n");
        paragraphs(out, section.intro());
        if (section.rows().isEmpty()) {
            out.append("<p>None.</p>\n</section>\n");
            return;
        }
        out.append("<table>\n<thead>\n<tr>");
        for (Notice.Column column : section.columns()) {
            out.append("<th scope=\"col\" data-key=\"")
                    .append(escape(column.key()))
                    .append("\">")
                    .append(escape(column.label()))
                    .append("</th>");
        }
        out.append("</tr>\n</thead>\n<tbody>\n");
        for (Notice.Row row : section.rows()) {
            out.append("<tr data-id=\"").append(escape(row.id())).append("\">");
            for (Notice.Cell cell : row.cells())
                out.append("<td>").append(escape(cell.words())).append("</td>");
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static void paragraphs(StringBuilder out, List<String> sentences) {
        for (String sentence : sentences)
            out.append("<p>").append(escape(sentence)).append("</p>\n");
    }

    /** Escapes for both text and double- or single-quoted attribute values. */
    static String escape(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
