package dev.lethe.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The text of a policy version when Lethe changes a version's custom fields itself (a field added
 * or removed by its route, fields kept from the version before): the author's document with only
 * that change, in its own format, so that {@code GET /v1/policy?format=yaml} still shows their
 * words and comments. Each edit is checked by reading it back; one that does not read back as the
 * version's policy gives way to the document rewritten from its tree (comments lost), and that to
 * the canonical form.
 */
final class PolicyText {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private PolicyText() {}

    /** The document ({@code json} or YAML) with these custom fields declared, reading as {@code expected}. */
    static String withCustomFields(String text, boolean json, Map<String, CustomField> fields, Policy expected) {
        if (fields.isEmpty()) return text;
        if (!json) {
            var edited = yamlWithFields(text, fields);
            if (edited.isPresent() && readsAs(edited.get(), false, expected)) return edited.get();
        }
        return rewritten(text, json, expected, custom -> fields.forEach((key, f) -> custom.set(key, entry(f))));
    }

    /** The document without the custom field {@code key}, reading as {@code expected}. */
    static String withoutCustomField(String text, boolean json, String key, Policy expected) {
        if (!json) {
            var edited = yamlWithoutField(text, key);
            if (edited.isPresent() && readsAs(edited.get(), false, expected)) return edited.get();
        }
        return rewritten(text, json, expected, custom -> custom.remove(key));
    }

    /** The version's text as YAML: as written when it was YAML, else its JSON document in YAML. */
    static String yaml(String text, boolean json) {
        if (!json) return text;
        var tree = DocumentTree.read(text, true, new ArrayList<>());
        return tree == null ? text : write(tree, false);
    }

    /** A custom field as the document format declares it. */
    private static ObjectNode entry(CustomField f) {
        ObjectNode node = JSON.createObjectNode();
        node.put("displayName", f.displayName());
        node.put("category", f.category());
        node.put("type", f.type().wireName());
        if (f.filterable()) node.put("filterable", true);
        return node;
    }

    /**
     * The YAML text with the fields added: appended as a new top-level {@code customFields} when
     * the document has none, else inserted at the end of its block mapping, indented as its own
     * entries. Empty when the document is shaped otherwise (a flow mapping, no root mapping).
     */
    private static Optional<String> yamlWithFields(String text, Map<String, CustomField> fields) {
        var root = compose(text);
        if (root.isEmpty()) return Optional.empty();
        ObjectNode entries = JSON.createObjectNode();
        fields.forEach((key, f) -> entries.set(key, entry(f)));
        var custom = child(root.get(), "customFields");
        if (custom.isEmpty()) {
            if (root.get().getFlowStyle() != DumperOptions.FlowStyle.BLOCK) return Optional.empty();
            String body = text.endsWith("\n") || text.isEmpty() ? text : text + "\n";
            return Optional.of(body + "customFields:\n" + indented(write(entries, false), "  "));
        }
        if (!(custom.get() instanceof MappingNode m)
                || m.getFlowStyle() != DumperOptions.FlowStyle.BLOCK
                || m.getValue().isEmpty()) {
            return Optional.empty();
        }
        int at = lineAfter(text, contentEnd(m));
        String indent =
                " ".repeat(m.getValue().get(0).getKeyNode().getStartMark().getColumn());
        String before = at == text.length() && !text.endsWith("\n") ? text + "\n" : text.substring(0, at);
        return Optional.of(before + indented(write(entries, false), indent) + text.substring(at));
    }

    /** The YAML text without the lines of one custom field's entry; empty when shaped otherwise. */
    private static Optional<String> yamlWithoutField(String text, String key) {
        var root = compose(text);
        if (root.isEmpty()) return Optional.empty();
        var custom = child(root.get(), "customFields");
        if (custom.isEmpty()
                || !(custom.get() instanceof MappingNode m)
                || m.getFlowStyle() != DumperOptions.FlowStyle.BLOCK) return Optional.empty();
        for (var tuple : m.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode k) || !k.getValue().equals(key)) continue;
            int keyAt = charIndex(text, k.getStartMark().getIndex());
            int from = text.lastIndexOf('\n', keyAt - 1) + 1;
            if (!text.substring(from, keyAt).isBlank()) return Optional.empty();
            int to = lineAfter(text, contentEnd(tuple.getValueNode()));
            return Optional.of(text.substring(0, from) + text.substring(to));
        }
        return Optional.empty();
    }

    /** The document rewritten from its tree with its {@code customFields} edited; else the canonical form. */
    private static String rewritten(String text, boolean json, Policy expected, Consumer<ObjectNode> edit) {
        var tree = DocumentTree.read(text, json, new ArrayList<>());
        if (tree instanceof ObjectNode root) {
            JsonNode existing = root.get("customFields");
            ObjectNode custom = existing instanceof ObjectNode o ? o : JSON.createObjectNode();
            edit.accept(custom);
            if (custom.isEmpty()) root.remove("customFields");
            else root.set("customFields", custom);
            String out = write(root, json);
            if (readsAs(out, json, expected)) return out;
        }
        return write(PolicyWriter.tree(expected), json);
    }

    private static boolean readsAs(String text, boolean json, Policy expected) {
        var read = PolicyReader.read(text, json);
        return read.ok() && read.policy().equals(expected);
    }

    private static Optional<MappingNode> compose(String text) {
        try {
            var options = new LoaderOptions();
            options.setCodePointLimit(Integer.MAX_VALUE);
            Node root = new Yaml(options).compose(new StringReader(text));
            return root instanceof MappingNode m ? Optional.of(m) : Optional.empty();
        } catch (RuntimeException e) { // a document that does not compose is left to the other forms
            return Optional.empty();
        }
    }

    private static Optional<Node> child(MappingNode m, String key) {
        return m.getValue().stream()
                .filter(t ->
                        t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
                .map(t -> t.getValueNode())
                .findFirst();
    }

    /**
     * Where a node's own text ends, as a code point index: a block mapping or sequence ends where
     * its last entry does (SnakeYAML ends it at the next token, past the comments that follow).
     */
    private static int contentEnd(Node node) {
        if (node instanceof MappingNode m
                && m.getFlowStyle() == DumperOptions.FlowStyle.BLOCK
                && !m.getValue().isEmpty()) {
            return contentEnd(m.getValue().get(m.getValue().size() - 1).getValueNode());
        }
        if (node instanceof SequenceNode q
                && q.getFlowStyle() == DumperOptions.FlowStyle.BLOCK
                && !q.getValue().isEmpty()) {
            return contentEnd(q.getValue().get(q.getValue().size() - 1));
        }
        return node.getEndMark().getIndex();
    }

    /** The start of the line after the one where text ending at this code point index ends. */
    private static int lineAfter(String text, int codePoints) {
        int at = charIndex(text, codePoints);
        if (at > 0 && text.charAt(at - 1) == '\n') return at; // a block scalar ends with its line
        int newline = text.indexOf('\n', at);
        return newline < 0 ? text.length() : newline + 1;
    }

    /** SnakeYAML counts code points; Java strings count chars. */
    private static int charIndex(String text, int codePoints) {
        return text.offsetByCodePoints(0, Math.min(codePoints, text.codePointCount(0, text.length())));
    }

    private static String indented(String block, String indent) {
        var out = new StringBuilder();
        block.lines().forEach(line -> out.append(indent).append(line).append('\n'));
        return out.toString();
    }

    private static String write(JsonNode tree, boolean json) {
        try {
            return json ? JSON.writeValueAsString(tree) : YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a document tree always serialises", e);
        }
    }
}
