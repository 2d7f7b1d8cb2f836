package dev.lethe.notices;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One notice as a small document: a title, introductory sentences, sections that each hold one
 * table, and footnotes. Every format is rendered from this one value, so the Markdown, HTML and
 * JSON of a notice say the same thing.
 *
 * @param intro sentences shown before the sections; they name the controller and the policy version
 */
public record Notice(
        NoticeKind kind,
        String title,
        Controller controller,
        int policyVersion,
        Instant since,
        List<String> intro,
        List<Section> sections,
        List<String> footnotes) {

    public Notice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(since, "since");
        intro = List.copyOf(intro);
        sections = List.copyOf(sections);
        footnotes = List.copyOf(footnotes);
    }

    /** Who is responsible for the data and where people exercise their rights. */
    public record Controller(String name, String contact, String address) {}

    /**
     * A heading, a few sentences and one table.
     *
     * @param key a stable machine name (a subject type, a cookie category, "records")
     */
    public record Section(String key, String heading, List<String> intro, List<Column> columns, List<Row> rows) {

        public Section {
            intro = List.copyOf(intro);
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
            var keys = new HashSet<String>();
            for (Column column : columns) {
                if (column.key().equals(Row.ID) || !keys.add(column.key())) {
                    throw new IllegalArgumentException(
                            "column key '" + column.key() + "' is reserved or repeated in section " + key);
                }
            }
            for (Row row : rows) {
                if (row.cells().size() != columns.size()) {
                    throw new IllegalArgumentException("row " + row.id() + " has "
                            + row.cells().size() + " cells for " + columns.size() + " columns");
                }
            }
        }
    }

    /** A table column: the key names it in JSON, the label heads it on a page. */
    public record Column(String key, String label) {}

    /**
     * A table row, one cell per column.
     *
     * @param id the name of what the row describes in the policy (a record rule, a category, a
     *     processor, a cookie), so clients of the JSON can tell rows apart
     */
    public record Row(String id, List<Cell> cells) {

        /** The JSON key of the row's id; no column may use it. */
        public static final String ID = "id";

        public Row {
            cells = List.copyOf(cells);
        }
    }

    /** The value in one table cell. JSON keeps its structure; pages show {@link #words()}. */
    public sealed interface Cell {

        /** The cell as a person reads it. */
        String words();

        static Cell text(String text) {
            return new Text(text);
        }

        /** Plain text; a missing value reads as empty. */
        record Text(String text) implements Cell {
            public Text {
                text = text == null ? "" : text;
            }

            @Override
            public String words() {
                return text;
            }
        }

        /** A list, read as its items joined by commas, or {@code whenEmpty} when there are none. */
        record Items(List<String> items, String whenEmpty) implements Cell {
            public Items {
                items = List.copyOf(items);
            }

            @Override
            public String words() {
                return items.isEmpty() ? whenEmpty : String.join(", ", items);
            }
        }

        /** Lists under labels ("Advocates: IP address; Managers: IP address"). */
        record Groups(List<Group> groups, String whenEmpty) implements Cell {
            public Groups {
                groups = List.copyOf(groups);
            }

            @Override
            public String words() {
                if (groups.isEmpty()) return whenEmpty;
                return groups.stream()
                        .map(g -> g.label() + ": " + String.join(", ", g.items()))
                        .collect(Collectors.joining("; "));
            }
        }

        /** A yes-or-no value, read as one of two words ("Required" or "Optional"). */
        record Flag(boolean value, String whenTrue, String whenFalse) implements Cell {
            @Override
            public String words() {
                return value ? whenTrue : whenFalse;
            }
        }
    }

    /** One labelled list in a {@link Cell.Groups}: {@code key} is the policy's name for the label. */
    public record Group(String key, String label, List<String> items) {

        public Group {
            items = List.copyOf(items);
        }
    }
}
