package dev.lethe.requests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * An access package as a zip of CSV files (RFC 4180), one per kind of record, each with a header
 * line; lists and maps (an event's properties) are JSON texts in their cell; a text a spreadsheet
 * would run as a formula starts with {@code '} ({@link #inert}).
 */
public final class CsvPackageSink implements PackageSink {

    private final ZipOutputStream zip;
    private final Writer out;
    private PackageKind kind;

    CsvPackageSink(OutputStream target) {
        this.zip = new ZipOutputStream(target, StandardCharsets.UTF_8);
        this.out = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
    }

    @Override
    public void startKind(PackageKind kind) throws IOException {
        this.kind = kind;
        zip.putNextEntry(new ZipEntry(kind.name() + ".csv"));
        line(kind.columns().stream().map(c -> (Object) c).toList());
    }

    @Override
    public void record(Map<String, Object> record) throws IOException {
        line(kind.columns().stream().map(record::get).toList());
    }

    private void line(java.util.List<Object> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.write(',');
            out.write(cell(cells.get(i)));
        }
        out.write("\r\n");
    }

    /**
     * One value as an RFC 4180 cell: quoted when it holds a comma, a quote or a line break, made
     * inert for spreadsheets ({@link #inert}) unless it is a number; lists and maps as JSON. Exports
     * (transfer.Exports) write their cells with it too.
     */
    public static String cell(Object value) {
        String text = Cells.text(value);
        return quoted(value instanceof Number ? text : inert(text));
    }

    /**
     * The cell made inert for spreadsheets (CSV formula injection, OWASP): a text starting with
     * {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return would be read as a
     * formula by Excel, LibreOffice or Sheets when the person opens their package, so it gets a
     * leading {@code '}, which spreadsheets show as text. The JSON and text formats keep the value
     * as it is; numbers Lethe writes (counts) are left alone.
     */
    static String inert(String cell) {
        if (cell.isEmpty()) return cell;
        return switch (cell.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + cell;
            default -> cell;
        };
    }

    static String quoted(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0)
            return cell;
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    @Override
    public void endKind() throws IOException {
        out.flush();
        zip.closeEntry();
    }

    @Override
    public void close() throws IOException {
        out.flush();
        zip.finish();
    }
}
