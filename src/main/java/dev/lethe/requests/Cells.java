package dev.lethe.requests;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lethe.values.Sensitive;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** How a package's values are written: as JSON values, or as one text (a CSV cell, a text line). */
final class Cells {

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();

    private Cells() {}

    static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Sensitive s -> g.writeString(s.value());
            case Instant t -> g.writeString(t.toString());
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case List<?> list -> {
                g.writeStartArray();
                for (Object o : list) write(g, o);
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (var e : map.entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            default ->
                throw new IllegalArgumentException(
                        "not a package value: " + v.getClass().getSimpleName());
        }
    }

    /** The value as one text: lists and maps as JSON. */
    static String text(Object v) {
        return switch (v) {
            case null -> "";
            case String s -> s;
            case Sensitive s -> s.value();
            case Instant t -> t.toString();
            case Boolean b -> b.toString();
            case Number n -> n.toString();
            default -> {
                var out = new StringWriter();
                try (var g = FACTORY.createGenerator(out)) {
                    write(g, v);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                yield out.toString();
            }
        };
    }
}
