package dev.lethe.notices;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Prints a notice as JSON: the same document, with each row an object keyed by column key, and
 * cells keeping their structure (lists as arrays, per-subject lists as objects, flags as booleans).
 */
final class JsonRenderer implements NoticeRenderer {

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public String render(Notice notice) {
        ObjectNode root = mapper.createObjectNode();
        root.put("notice", notice.kind().wireName());
        root.put("title", notice.title());
        root.put("policyVersion", notice.policyVersion());
        root.put("since", notice.since().toString());
        ObjectNode controller = root.putObject("controller");
        controller.put("name", notice.controller().name());
        controller.put("contact", notice.controller().contact());
        controller.put("address", notice.controller().address());
        root.set("intro", texts(notice.intro()));
        ArrayNode sections = root.putArray("sections");
        for (Notice.Section section : notice.sections()) sections.add(section(section));
        root.set("footnotes", texts(notice.footnotes()));
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode section(Notice.Section section) {
        ObjectNode out = mapper.createObjectNode();
        out.put("key", section.key());
        out.put("heading", section.heading());
        out.set("intro", texts(section.intro()));
        ArrayNode columns = out.putArray("columns");
        for (Notice.Column column : section.columns())
            columns.addObject().put("key", column.key()).put("label", column.label());
        ArrayNode rows = out.putArray("rows");
        for (Notice.Row row : section.rows()) {
            ObjectNode r = rows.addObject();
            r.put(Notice.Row.ID, row.id());
            for (int i = 0; i < row.cells().size(); i++)
                r.set(section.columns().get(i).key(), cell(row.cells().get(i)));
        }
        return out;
    }

    private JsonNode cell(Notice.Cell cell) {
        return switch (cell) {
            case Notice.Cell.Text t -> mapper.getNodeFactory().textNode(t.text());
            case Notice.Cell.Items i -> texts(i.items());
            case Notice.Cell.Groups g -> {
                ObjectNode groups = mapper.createObjectNode();
                for (Notice.Group group : g.groups()) groups.set(group.key(), texts(group.items()));
                yield groups;
            }
            case Notice.Cell.Flag f -> mapper.getNodeFactory().booleanNode(f.value());
        };
    }

    private ArrayNode texts(List<String> texts) {
        ArrayNode out = mapper.createArrayNode();
        texts.forEach(out::add);
        return out;
    }
}
