package dev.lethe.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lethe.errors.FieldError;
import dev.lethe.input.Texts;
import java.io.IOException;
import java.util.List;

/**
 * Reads a YAML or JSON document into a tree, reporting every duplicate key with its path (a plain
 * parser keeps the last value silently, or stops at the first duplicate), and every YAML feature a
 * policy has no use for ({@link YamlFeatures}).
 */
final class DocumentTree {

    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DocumentTree() {}

    /** The tree, or null when the text is not a document at all (the reason is in errors). */
    static JsonNode read(String text, boolean json, List<FieldError> errors) {
        try (JsonParser p = (json ? JSON : YAML).createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                errors.add(new FieldError("", "the document is empty"));
                return null;
            }
            JsonNode root = value(p, "", errors);
            if (p.nextToken() != null) {
                var where = p.currentLocation();
                errors.add(new FieldError(
                        "",
                        "one document only: more content follows at line " + where.getLineNr() + ", column "
                                + where.getColumnNr()));
                return null;
            }
            if (!json) {
                var refused = YamlFeatures.refused(text);
                if (!refused.isEmpty()) {
                    errors.addAll(refused);
                    return null;
                }
            }
            return root;
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            errors.add(
                    new FieldError("", "not valid " + (json ? "JSON" : "YAML") + at + ": " + e.getOriginalMessage()));
            return null;
        } catch (IOException e) {
            errors.add(new FieldError("", "the document could not be read: " + e.getMessage()));
            return null;
        }
    }

    private static JsonNode value(JsonParser p, String path, List<FieldError> errors) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = path.isEmpty() ? key : path + "." + key;
                    Texts.problem(key).ifPresent(why -> errors.add(new FieldError(child, "is a name that " + why)));
                    p.nextToken();
                    JsonNode v = value(p, child, errors);
                    if (object.has(key)) errors.add(new FieldError(child, "duplicate key"));
                    else object.set(key, v);
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) array.add(value(p, path + "[" + i++ + "]", errors));
                yield array;
            }
            case VALUE_STRING -> {
                String text = p.getText();
                Texts.problem(text).ifPresent(why -> errors.add(new FieldError(path, why)));
                yield NODES.textNode(text);
            }
            case VALUE_NUMBER_INT -> NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            // YAML 1.1 reads yes/no/on/off (and so Norway's code NO) as booleans; only true and false
            // are booleans in a policy, anything else stays the text that was written.
            case VALUE_TRUE, VALUE_FALSE -> {
                String text = p.getText();
                yield text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
                        ? NODES.booleanNode(p.currentToken() == JsonToken.VALUE_TRUE)
                        : NODES.textNode(text);
            }
            case VALUE_NULL -> NODES.nullNode();
            // what a YAML tag such as !!binary makes: kept as written, and refused as a tag
            case VALUE_EMBEDDED_OBJECT -> NODES.textNode(p.getText());
            default -> throw new IOException("unexpected " + p.currentToken() + " at " + path);
        };
    }
}
