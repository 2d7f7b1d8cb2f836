package dev.lethe.imports;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An uploaded import file read as CSV (RFC 4180: quoted fields, doubled quotes, embedded line
 * breaks, CRLF or LF) with Jackson's CSV parser, one record at a time: memory holds one row. A
 * UTF-8 byte order mark is skipped; the separator is the one the header line uses, {@code ,} or
 * {@code ;} (as Excel writes CSV in many locales), or the one an Excel {@code sep=;} first line
 * names. Bytes that are not UTF-8 stop the reading ({@link Unreadable}).
 */
final class ImportCsv implements Closeable {

    /** The longest cell the parser takes at all (a longer one makes the file unreadable). */
    static final int MAX_CELL_CHARS_HARD = 1 << 20;

    /** Thrown when the file cannot be read as CSV in UTF-8; the message holds no value. */
    static final class Unreadable extends Exception {
        Unreadable(String why) {
            super(why);
        }
    }

    private static final CsvMapper MAPPER = new CsvMapper(CsvFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(MAX_CELL_CHARS_HARD)
                            .build())
                    .build())
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .disable(CsvParser.Feature.ALLOW_TRAILING_COMMA);

    private final MappingIterator<String[]> rows;
    private final List<String> header;
    private final char separator;
    private long rowNo;

    private ImportCsv(MappingIterator<String[]> rows, List<String> header, char separator) {
        this.rows = rows;
        this.header = header;
        this.separator = separator;
    }

    /** Opens the file and reads its header; {@link Unreadable} when there is none. */
    static ImportCsv open(InputStream raw) throws Unreadable {
        try {
            var in = new PushbackInputStream(raw, 3);
            byte[] bom = in.readNBytes(3);
            if (!(bom.length == 3 && (bom[0] & 0xff) == 0xEF && (bom[1] & 0xff) == 0xBB && (bom[2] & 0xff) == 0xBF))
                in.unread(bom);
            var decoder = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            var reader = new BufferedReader(new InputStreamReader(in, decoder), 64 * 1024);
            char separator = ',';
            reader.mark(64 * 1024);
            String first = firstLine(reader);
            if (first == null) throw new Unreadable("the file is empty: it needs a header row and at least one row");
            if (first.regionMatches(true, 0, "sep=", 0, 4) && first.strip().length() == 5) {
                separator = first.strip().charAt(4);
                if (separator != ',' && separator != ';' && separator != '\t')
                    throw new Unreadable("the sep= line names a separator other than , ; or tab");
            } else {
                separator = separatorOf(first);
                reader.reset();
            }
            MappingIterator<String[]> it = MAPPER.readerFor(String[].class)
                    .with(CsvSchema.emptySchema().withColumnSeparator(separator))
                    .readValues(reader);
            if (!it.hasNextValue())
                throw new Unreadable("the file is empty: it needs a header row and at least one row");
            var header = Arrays.stream(it.nextValue()).map(String::strip).toList();
            return new ImportCsv(it, header, separator);
        } catch (IOException | RuntimeException e) {
            throw new Unreadable(
                    "the header cannot be read as CSV in UTF-8 (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The first line, up to 64 KiB, or null for an empty file. */
    private static String firstLine(BufferedReader reader) throws IOException {
        var line = new StringBuilder();
        boolean quoted = false;
        for (int c; (c = reader.read()) >= 0; ) {
            if (c == '"') quoted = !quoted;
            if (!quoted && (c == '\n' || c == '\r')) break;
            line.append((char) c);
            if (line.length() >= 60 * 1024) break;
        }
        return line.isEmpty() ? null : line.toString();
    }

    /** {@code ;} when the header line has more semicolons than commas outside quotes, else {@code ,}. */
    static char separatorOf(String line) {
        int commas = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == ',') commas++;
            else if (!quoted && c == ';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    List<String> header() {
        return header;
    }

    char separator() {
        return separator;
    }

    /** The next data row (row 1 is the first after the header), or empty at the end. */
    Optional<Row> next() throws Unreadable {
        try {
            if (!rows.hasNextValue()) return Optional.empty();
            String[] cells = rows.nextValue();
            return Optional.of(new Row(++rowNo, cells));
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("row " + (rowNo + 1) + " cannot be read as CSV in UTF-8 ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** One data row: its number and its cells. */
    record Row(long rowNo, String[] cells) {}

    @Override
    public void close() throws IOException {
        rows.close();
    }
}
