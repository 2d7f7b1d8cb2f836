package dev.lethe.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.input.Texts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON body read into a tree, strictly: a key given twice is refused (a plain parser keeps one
 * of the two silently), every such key named with its path; a syntax error says where (line,
 * column and the path reached), and what was expected there, in words of its own — never the
 * parser's message, which quotes the input. A text or a name holding a NUL character is refused
 * too: no text Lethe takes has one, and PostgreSQL refuses it in a text column.
 */
final class JsonTree {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String A_VALUE =
            "a value (a text in double quotes, a number, true, false, null, an object or a list)";

    /** Where the reader is, so that a syntax error can say what was expected next. */
    private enum Expecting {
        DOCUMENT("a JSON object"),
        NAME_OR_END("a field name in double quotes, or '}'"),
        NAME("a field name in double quotes"),
        VALUE(A_VALUE),
        VALUE_OR_END(A_VALUE + ", or ']'"),
        COMMA_OR_BRACE("',' or '}'"),
        COMMA_OR_BRACKET("',' or ']'"),
        END("nothing more: the body is one JSON object");

        final String words;

        Expecting(String words) {
            this.words = words;
        }
    }

    private final JsonParser parser;
    private final List<FieldError> duplicates = new ArrayList<>();
    private final List<FieldError> nuls = new ArrayList<>();
    private Expecting expecting = Expecting.DOCUMENT;

    private JsonTree(JsonParser parser) {
        this.parser = parser;
    }

    /** The text as a JSON object; 400 when it is not one JSON object, 422 when a text holds NUL. */
    static JsonNode parse(String text) {
        if (text.isBlank())
            throw new BadRequestException("The request needs a JSON body.", List.of(new FieldError("", "empty body")));
        try (JsonParser p = FACTORY.createParser(text)) {
            var reader = new JsonTree(p);
            JsonNode root = reader.document();
            if (!reader.duplicates.isEmpty())
                throw new BadRequestException("The body gives a key more than once.", reader.duplicates);
            if (!reader.nuls.isEmpty()) throw new InvalidInputException("The request is not valid.", reader.nuls);
            return root;
        } catch (IOException e) {
            throw new IllegalStateException("reading a text failed"); // a String source does not fail to read
        }
    }

    private JsonNode document() throws IOException {
        try {
            if (parser.nextToken() != JsonToken.START_OBJECT)
                throw new BadRequestException(
                        "The body must be a JSON object.",
                        List.of(new FieldError("", "not a JSON object: the body must start with '{'")));
            JsonNode root = object("");
            expecting = Expecting.END;
            if (parser.nextToken() != null) {
                var after = parser.currentTokenLocation();
                throw new BadRequestException(
                        "The body is not valid JSON.",
                        List.of(new FieldError(
                                "",
                                "line " + after.getLineNr() + ", column " + after.getColumnNr()
                                        + ": one JSON object only, but more follows it")));
            }
            return root;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String place = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            throw new BadRequestException(
                    "The body is not valid JSON.",
                    List.of(new FieldError(path(parser.getParsingContext()), place + problem(e))));
        }
    }

    private JsonNode object(String path) throws IOException {
        ObjectNode object = NODES.objectNode();
        expecting = Expecting.NAME_OR_END;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            String child = path.isEmpty() ? key : path + "." + key;
            Texts.problem(key).ifPresent(why -> nuls.add(new FieldError(path, "has a name that " + why)));
            expecting = Expecting.VALUE;
            parser.nextToken();
            JsonNode value = value(child);
            if (object.has(key)) duplicates.add(new FieldError(child, "is given more than once"));
            else object.set(key, value);
            expecting = Expecting.COMMA_OR_BRACE;
        }
        return object;
    }

    private JsonNode array(String path) throws IOException {
        ArrayNode array = NODES.arrayNode();
        expecting = Expecting.VALUE_OR_END;
        for (int i = 0; ; i++) {
            if (parser.nextToken() == JsonToken.END_ARRAY) break;
            array.add(value(path + "[" + i + "]"));
            expecting = Expecting.COMMA_OR_BRACKET;
        }
        return array;
    }

    private JsonNode value(String path) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> object(path);
            case START_ARRAY -> array(path);
            case VALUE_STRING -> {
                String text = parser.getText();
                Texts.problem(text).ifPresent(why -> nuls.add(new FieldError(path, why)));
                yield NODES.textNode(text);
            }
            case VALUE_NUMBER_INT ->
                switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            // kept exactly as sent: a double would turn 1e400 into Infinity and round long fractions
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("a JSON parser gave an unexpected token");
        };
    }

    /**
     * Where the parser was when it failed, as a path: the field whose name it had read (its value
     * or what follows it is at fault), the list element it had reached; "" for the body itself.
     */
    private static String path(JsonStreamContext context) {
        var parts = new ArrayList<String>();
        for (var c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) parts.add(0, c.getCurrentName());
            else if (c.inArray() && c.getCurrentIndex() >= 0) parts.add(0, "[" + c.getCurrentIndex() + "]");
        }
        var out = new StringBuilder();
        for (String part : parts) {
            if (!part.startsWith("[") && !out.isEmpty()) out.append('.');
            out.append(part);
        }
        return out.toString();
    }

    /**
     * What went wrong, in words of our own: the parser's message quotes the input (a token, a
     * character), so it is only looked at for which kind of mistake it reports.
     */
    private String problem(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (e instanceof StreamConstraintsException) return limit(m);
        if (e instanceof JsonEOFException)
            return m.contains("quote")
                    ? "the body ends inside a text (its closing quote is missing)"
                    : "the body ends early: expected " + expecting.words;
        if (expecting == Expecting.DOCUMENT || expecting == Expecting.END) return "expected " + expecting.words;
        if (m.contains("Illegal unquoted character"))
            return "a control character (such as a line break or a tab) inside a text must be escaped (\\n, \\t, \\u0009)";
        if (m.contains("Unrecognized character escape"))
            return "unknown escape inside a text: use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits";
        if (m.contains("hex-digit")) return "\\u inside a text must be followed by four hex digits";
        if (m.contains("Invalid numeric value") || m.contains("Leading zeroes") || m.contains("Non-standard token"))
            return "not a valid JSON number";
        if (m.contains("double-quote to start field name"))
            return "expected " + (expecting == Expecting.NAME_OR_END ? Expecting.NAME_OR_END : Expecting.NAME).words;
        if (m.contains("expecting a colon")) return "expected ':' after the field name";
        if (m.contains("comma to separate Object")) return "expected " + Expecting.COMMA_OR_BRACE.words;
        if (m.contains("comma to separate Array")) return "expected " + Expecting.COMMA_OR_BRACKET.words;
        if (m.contains("Unrecognized token")
                || m.contains("expected a value")
                || m.contains("expected a valid value")
                || m.contains("was expecting (JSON String"))
            return "expected " + (expecting == Expecting.VALUE_OR_END ? Expecting.VALUE_OR_END : Expecting.VALUE).words;
        return "expected " + expecting.words;
    }

    private static String limit(String m) {
        var limits = StreamReadConstraints.defaults();
        if (m.contains("nesting depth"))
            return "nested too deep: at most " + limits.getMaxNestingDepth() + " levels of objects and lists";
        if (m.contains("Number value length") || m.contains("number length"))
            return "a number longer than " + limits.getMaxNumberLength() + " characters";
        if (m.contains("String value length") || m.contains("string length"))
            return "a text longer than " + limits.getMaxStringLength() + " characters";
        if (m.contains("Name length") || m.contains("name length"))
            return "a field name longer than " + limits.getMaxNameLength() + " characters";
        return "beyond what the JSON reader takes (nesting, or the length of a number, text or name)";
    }
}
