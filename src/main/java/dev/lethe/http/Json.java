package dev.lethe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Timestamps;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reading request bodies and parameters, with errors that say where. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** The body as a JSON object, or 400 saying what is wrong with it. */
    static JsonNode object(Context ctx) {
        String body = ctx.body();
        if (body.isBlank())
            throw new BadRequestException("The request needs a JSON body.", List.of(new FieldError("", "empty body")));
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject())
                throw new BadRequestException(
                        "The body must be a JSON object.", List.of(new FieldError("", "not a JSON object")));
            var nuls = new ArrayList<FieldError>();
            findNuls(node, "", nuls);
            if (!nuls.isEmpty()) throw new InvalidInputException("The request is not valid.", nuls);
            return node;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new BadRequestException(
                    "The body is not valid JSON.",
                    List.of(new FieldError(
                            "",
                            (at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ")
                                    + e.getOriginalMessage())));
        }
    }

    static String text(JsonNode body, String key, List<FieldError> errors) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            errors.add(new FieldError(key, "is required"));
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError(key, "must be a text"));
            return null;
        }
        return n.asText();
    }

    static Instant instant(JsonNode body, String key, List<FieldError> errors) {
        String text = text(body, key, errors);
        if (text == null) return null;
        var t = Timestamps.parse(text);
        if (t.isEmpty()) errors.add(new FieldError(key, Timestamps.EXPECTED));
        return t.orElse(null);
    }

    static void requireNoErrors(List<FieldError> errors) {
        if (!errors.isEmpty()) throw new InvalidInputException("The request is not valid.", errors);
    }

    static int intPath(Context ctx, String name) {
        try {
            return Integer.parseInt(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new BadRequestException("Bad path.", List.of(new FieldError(name, "must be a whole number")));
        }
    }

    /**
     * An id from the path. A text that is not an id names nothing: 404 with the resource's own
     * title, before the database sees it.
     */
    static String idPath(Context ctx, String name, String notFound) {
        return Ids.parse(ctx.pathParam(name)).orElseThrow(() -> new NotFoundException(notFound));
    }

    /**
     * Texts and names that hold a NUL character, with their paths: no text Lethe takes has one,
     * and PostgreSQL refuses it in a text column (which would be a 500 after the request was
     * accepted).
     */
    private static void findNuls(JsonNode node, String path, List<FieldError> errors) {
        if (node.isTextual() && node.asText().indexOf('\u0000') >= 0) {
            errors.add(new FieldError(path, "holds a NUL character"));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) findNuls(node.get(i), path + "[" + i + "]", errors);
        } else if (node.isObject()) {
            node.properties().forEach(e -> {
                String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getKey().indexOf('\u0000') >= 0)
                    errors.add(new FieldError(path, "has a name holding a NUL character"));
                else findNuls(e.getValue(), at, errors);
            });
        }
    }

    /** Stored JSON text back to a tree, for embedding in a response. */
    static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }
}
