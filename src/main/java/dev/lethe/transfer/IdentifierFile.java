package dev.lethe.transfer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.lethe.values.Sensitive;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A bulk deletion's file of identifiers, read one at a time whatever its size: a CSV (RFC 4180,
 * read by Jackson's CSV parser) whose one-column header names the kind, or a JSON document {@code
 * {"identifiers": [{"email": "..."}, {"profileId": "..."}]}} read by Jackson's streaming parser
 * (never a tree). A UTF-8 byte order mark and CRLF line ends are taken; blank CSV lines are
 * skipped. What cannot be read as such a file is {@link Malformed}, saying where and why, never
 * quoting a value.
 */
public final class IdentifierFile implements AutoCloseable {

    /** The kinds an identifier may be given as (the CSV header, the JSON key). */
    public static final List<String> KINDS = List.of("email", "phone", "externalId", "profileId");

    /** The formats a file comes in, by media type. */
    public static final String CSV = "text/csv";

    public static final String JSON = "application/json";

    private static final CsvMapper CSV_MAPPER = new CsvMapper();
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    /** One identifier: its row (1 = the first data row or list element), its kind, its value. */
    public record Row(long number, String kind, Sensitive value) {}

    /** The file is not one this reads; {@code where} is a row number or a place, {@code why} says what. */
    public static final class Malformed extends Exception {
        private final String where;

        Malformed(String where, String why) {
            super(why, null, false, false);
            this.where = where;
        }

        public String where() {
            return where;
        }
    }

    private final MappingIterator<String[]> csv;
    private final JsonParser json;
    private final String csvKind;
    private long row;

    private IdentifierFile(MappingIterator<String[]> csv, String csvKind, JsonParser json) {
        this.csv = csv;
        this.csvKind = csvKind;
        this.json = json;
    }

    /**
     * Opens a file of this media type and reads its start (the CSV header, the JSON list's
     * opening): {@link Malformed} when that is wrong.
     */
    public static IdentifierFile open(String mediaType, InputStream in) throws IOException, Malformed {
        Reader reader = utf8(in);
        if (CSV.equals(mediaType)) return openCsv(reader);
        if (JSON.equals(mediaType)) return openJson(reader);
        throw new IllegalArgumentException("no identifier file of type " + mediaType);
    }

    private static Reader utf8(InputStream raw) throws IOException {
        var in = new PushbackInputStream(raw, 3);
        byte[] head = new byte[3];
        int n = in.readNBytes(head, 0, 3);
        boolean bom = n == 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF;
        if (!bom && n > 0) in.unread(head, 0, n);
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new InputStreamReader(in, decoder);
    }

    private static IdentifierFile openCsv(Reader reader) throws IOException, Malformed {
        MappingIterator<String[]> rows;
        try {
            rows = CSV_MAPPER
                    .readerForArrayOf(String.class)
                    .with(CsvParser.Feature.WRAP_AS_ARRAY)
                    .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                    .readValues(reader);
            if (!rows.hasNextValue()) throw new Malformed("header", "is missing: the first line names the kind");
            String[] header = rows.nextValue();
            if (header.length != 1)
                throw new Malformed(
                        "header", "has " + header.length + " columns; a bulk deletion file has one: " + kinds());
            String kind = header[0].strip();
            if (!KINDS.contains(kind)) throw new Malformed("header", "must name the kind: " + kinds());
            return new IdentifierFile(rows, kind, null);
        } catch (CharacterCodingException e) {
            throw new Malformed("header", "is not UTF-8");
        } catch (JsonProcessingException | RuntimeException e) {
            throw new Malformed("header", "is not CSV (RFC 4180)");
        }
    }

    private static IdentifierFile openJson(Reader reader) throws IOException, Malformed {
        JsonParser p = null;
        try {
            p = JSON_FACTORY.createParser(reader);
            if (p.nextToken() != JsonToken.START_OBJECT)
                throw new Malformed("body", "must be an object {\"identifiers\": [...]}");
            if (p.nextToken() != JsonToken.FIELD_NAME || !"identifiers".equals(p.currentName()))
                throw new Malformed("body", "must hold one field, identifiers: a list of {kind: value}");
            if (p.nextToken() != JsonToken.START_ARRAY) throw new Malformed("identifiers", "must be a list");
            return new IdentifierFile(null, null, p);
        } catch (CharacterCodingException e) {
            throw new Malformed("body", "is not UTF-8");
        } catch (JsonProcessingException e) {
            throw new Malformed("body", "is not JSON");
        }
    }

    /** The next identifier, or empty at the end of the file. */
    public Optional<Row> next() throws IOException, Malformed {
        return csv != null ? nextCsv() : nextJson();
    }

    private Optional<Row> nextCsv() throws IOException, Malformed {
        try {
            if (!csv.hasNextValue()) return Optional.empty();
            String[] cells = csv.nextValue();
            row++;
            if (cells.length != 1)
                throw new Malformed("row " + row, "has " + cells.length + " columns; a bulk deletion file has one");
            return Optional.of(new Row(row, csvKind, new Sensitive(cells[0])));
        } catch (CharacterCodingException e) {
            throw new Malformed("row " + (row + 1), "is not UTF-8");
        } catch (JsonProcessingException | UncheckedIOException e) {
            throw new Malformed("row " + (row + 1), "is not CSV (RFC 4180)");
        } catch (RuntimeException e) {
            if (e.getCause() instanceof CharacterCodingException)
                throw new Malformed("row " + (row + 1), "is not UTF-8");
            throw new Malformed("row " + (row + 1), "is not CSV (RFC 4180)");
        }
    }

    private Optional<Row> nextJson() throws IOException, Malformed {
        String where = "identifiers[" + row + "]";
        try {
            JsonToken t = json.nextToken();
            if (t == JsonToken.END_ARRAY) {
                where = "body";
                if (json.nextToken() != JsonToken.END_OBJECT)
                    throw new Malformed("body", "must hold one field, identifiers");
                if (json.nextToken() != null) throw new Malformed("body", "has more after its end");
                return Optional.empty();
            }
            if (t != JsonToken.START_OBJECT) throw new Malformed(where, "must be an object with one field: " + kinds());
            if (json.nextToken() != JsonToken.FIELD_NAME || !KINDS.contains(json.currentName()))
                throw new Malformed(where, "must be an object with one field: " + kinds());
            String kind = json.currentName();
            if (json.nextToken() != JsonToken.VALUE_STRING) throw new Malformed(where + "." + kind, "must be a text");
            var value = new Sensitive(json.getText());
            if (json.nextToken() != JsonToken.END_OBJECT)
                throw new Malformed(where, "must be an object with one field: " + kinds());
            row++;
            return Optional.of(new Row(row, kind, value));
        } catch (CharacterCodingException e) {
            throw new Malformed(where, "is not UTF-8");
        } catch (JsonProcessingException e) {
            throw new Malformed(where, "is not JSON");
        }
    }

    private static String kinds() {
        return String.join(", ", KINDS);
    }

    @Override
    public void close() throws IOException {
        if (csv != null) csv.close();
        if (json != null) json.close();
    }
}
