package dev.lethe.requests;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** An access package as one JSON document, written as it is read (Jackson's streaming generator). */
final class JsonPackageSink implements PackageSink {

    /** Where the schema the package follows is served. */
    static final String SCHEMA = "/v1/schemas/access-package.json";

    private final JsonGenerator g;
    private PackageKind kind;

    JsonPackageSink(OutputStream out) throws IOException {
        this.g = new JsonFactory()
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .createGenerator(out);
        g.writeStartObject();
        g.writeStringField("schema", SCHEMA);
    }

    @Override
    public void startKind(PackageKind kind) throws IOException {
        this.kind = kind;
        g.writeFieldName(kind.name());
        if (!kind.single()) g.writeStartArray();
    }

    @Override
    public void record(Map<String, Object> record) throws IOException {
        g.writeStartObject();
        for (String column : kind.columns()) {
            Object v = record.get(column);
            if (v == null) continue;
            g.writeFieldName(column);
            Cells.write(g, v);
        }
        g.writeEndObject();
    }

    @Override
    public void endKind() throws IOException {
        if (!kind.single()) g.writeEndArray();
    }

    @Override
    public void close() throws IOException {
        g.writeEndObject();
        g.close();
    }
}
