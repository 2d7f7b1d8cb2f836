package dev.lethe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Ids;
import io.javalin.http.Context;
import java.util.List;

/** The JSON mapper answers are written with, the body as a tree, and ids and numbers from the path. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /**
     * The body as a JSON object (see {@link JsonTree}: duplicate keys, syntax errors with where
     * they are, NUL characters), as {@link RequestBody} took it in.
     */
    static JsonNode object(Context ctx) {
        return JsonTree.parse(RequestBody.text(ctx));
    }

    static int intPath(Context ctx, String name) {
        try {
            return Integer.parseInt(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new BadRequestException("Bad path.", List.of(new FieldError(name, "must be a whole number")));
        }
    }

    /** An action route takes no fields: an empty body or {} (anything else is refused, naming it). */
    static void noBody(Context ctx) {
        if (ctx.body().isBlank()) return;
        var in = new dev.lethe.input.JsonFields();
        in.object(object(ctx), "", List.of());
        in.requireValid();
    }

    /**
     * An id from the path. A text that is not an id names nothing: 404 with the resource's own
     * title, before the database sees it.
     */
    static String idPath(Context ctx, String name, String notFound) {
        return Ids.parse(ctx.pathParam(name)).orElseThrow(() -> new NotFoundException(notFound));
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
