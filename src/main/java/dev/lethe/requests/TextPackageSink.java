package dev.lethe.requests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An access package as a text a person can read: one section per kind, one block per record. */
final class TextPackageSink implements PackageSink {

    private final Writer out;
    private PackageKind kind;
    private int count;

    TextPackageSink(OutputStream target) throws IOException {
        this.out = new OutputStreamWriter(target, StandardCharsets.UTF_8);
        out.write("Your data\n=========\n\nEverything held about you, why it is held, for how long, who receives it,\n"
                + "and who has read or exported it.\n");
    }

    @Override
    public void startKind(PackageKind kind) throws IOException {
        this.kind = kind;
        this.count = 0;
        out.write("\n" + kind.title() + "\n" + "-".repeat(Math.min(kind.title().length(), 78)) + "\n");
    }

    @Override
    public void record(Map<String, Object> record) throws IOException {
        count++;
        boolean first = true;
        for (String column : kind.columns()) {
            Object v = record.get(column);
            if (v == null) continue;
            String prefix = kind.single() ? "" : first ? "- " : "  ";
            first = false;
            if (v instanceof Map<?, ?> map && !map.isEmpty()) {
                out.write(prefix + column + ":\n");
                for (var e : map.entrySet()) out.write("      " + e.getKey() + ": " + Cells.text(e.getValue()) + "\n");
            } else {
                out.write(prefix + column + ": " + Cells.text(v) + "\n");
            }
        }
    }

    @Override
    public void endKind() throws IOException {
        if (count == 0) out.write("(none)\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
