package dev.lethe.notices;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints a notice as CommonMark with GitHub-style tables. Text from the policy is escaped, so a
 * description can neither break a table (a "|") nor become markup (a "&lt;script&gt;").
 */
final class MarkdownRenderer implements NoticeRenderer {

    /** ASCII punctuation that means something to Markdown; a backslash makes it literal. */
    private static final String SPECIAL = "\\`*_[]<>|#&!";

    @Override
    public String render(Notice notice) {
        var out = new StringBuilder();
        out.append("# ").append(escape(notice.title())).append("\n\n");
        paragraphs(out, notice.intro());
        for (Notice.Section section : notice.sections()) {
            out.append("## ").append(escape(section.heading())).append("\n\n");
            paragraphs(out, section.intro());
            if (section.rows().isEmpty()) {
                out.append("None.\n\n");
                continue;
            }
            line(out, section.columns().stream().map(Notice.Column::label).toList());
            line(out, section.columns().stream().map(c -> "---").toList());
            for (Notice.Row row : section.rows())
                line(out, row.cells().stream().map(Notice.Cell::words).toList());
            out.append('\n');
        }
        if (!notice.footnotes().isEmpty()) {
            out.append("## Notes\n\n");
            for (int i = 0; i < notice.footnotes().size(); i++) {
                out.append(i + 1)
                        .append(". ")
                        .append(escape(notice.footnotes().get(i)))
                        .append('\n');
            }
            out.append('\n');
        }
        return out.toString().stripTrailing() + "\n";
    }

    private static void paragraphs(StringBuilder out, List<String> sentences) {
        for (String sentence : sentences)
            out.append(escapeBlockStart(escape(sentence))).append("\n\n");
    }

    /** A paragraph must not begin like a list item, a heading underline or a numbered item. */
    private static String escapeBlockStart(String text) {
        if (text.matches("[-+=].*")) return "\\" + text;
        return text.replaceFirst("^(\\d+)([.)])", "$1\\\\$2");
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append(cells.stream().map(MarkdownRenderer::escape).collect(Collectors.joining(" | ", "| ", " |\n")));
    }

    /** Escapes markup characters and folds line breaks, which would end a table row, into spaces. */
    static String escape(String text) {
        var out = new StringBuilder(text.length());
        for (char ch : text.strip().replaceAll("\\s*\\R\\s*", " ").toCharArray()) {
            if (SPECIAL.indexOf(ch) >= 0) out.append('\\');
            out.append(ch);
        }
        return out.toString();
    }
}
