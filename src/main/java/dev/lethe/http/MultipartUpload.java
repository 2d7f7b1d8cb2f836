package dev.lethe.http;

import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.LetheException;
import dev.lethe.errors.UnsupportedMediaTypeException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

/**
 * A {@code multipart/form-data} upload (RFC 7578) read as a stream: the one part named {@value
 * #FILE_PART} comes out of {@link #read} as the request's bytes are parsed, 64 KiB at a time, so the
 * route stages it exactly as it stages a {@code text/csv} body (sealed chunks, the upload limit).
 *
 * <p>The parsing is Jetty's own ({@link MultiPart.Parser}, the push parser under its form-data
 * support), fed from the request stream; only its file store is left out. Jetty's servlet multipart
 * handling ({@code ctx.uploadedFile}, {@code MultipartConfigElement}) writes every part above a
 * threshold to a temporary file, in the clear: a personal value would then sit on disk unencrypted,
 * so it is never called for an upload.
 *
 * <p>What is refused, before any job exists when it shows in the first bytes, and otherwise as the
 * upload's failure (its chunks destroyed): no boundary (400), a first part that is not {@value
 * #FILE_PART} or a second part (400), a file part in a media type other than CSV (415), part
 * headers over {@value #HEADERS_MAX} bytes, a body that ends before its closing boundary, or more
 * than {@value #SLACK} bytes before the first part or after the file (400).
 */
final class MultipartUpload extends InputStream {

    static final String MEDIA_TYPE = "multipart/form-data";

    /** The name of the part that holds the file. */
    static final String FILE_PART = "file";

    /**
     * What a file part may say it is: CSV, what browsers send for a {@code .csv} file on Windows
     * (Excel's type), or no idea at all.
     */
    static final List<String> FILE_TYPES = List.of("text/csv", "application/vnd.ms-excel", "application/octet-stream");

    /** The most bytes a part's headers may take. */
    static final int HEADERS_MAX = 8 * 1024;

    /** The most bytes accepted before the first part (a preamble) or after the file part. */
    static final int SLACK = 64 * 1024;

    private static final String BODY = "body";

    private final InputStream request;
    private final MultiPart.Parser parser;
    private final byte[] raw = new byte[64 * 1024];

    /** The file's bytes parsed and not yet read. */
    private byte[] pending = new byte[raw.length];

    private int pendingFrom;
    private int pendingTo;

    private int parts;
    private final Map<String, String> headers = new HashMap<>();
    private boolean inFile;
    private boolean fileEnded;
    private boolean complete;
    private boolean requestEnded;
    private long outside;
    private LetheException refused;

    private MultipartUpload(InputStream request, String boundary) {
        this.request = request;
        this.parser = new MultiPart.Parser(boundary, new Listener());
        parser.setPartHeadersMaxLength(HEADERS_MAX);
    }

    /**
     * Reads the request up to the start of its file part (or further, for a small body), and
     * returns the stream of the file's bytes; a refused body throws before any of them is handed
     * on.
     *
     * @param contentType the request's {@code Content-Type}, already checked to be multipart/form-data
     */
    static InputStream open(String contentType, InputStream request) throws IOException {
        String boundary = RequestBody.parse(contentType)
                .map(p -> p.parameters().get("boundary"))
                .orElse(null);
        if (boundary == null || boundary.length() > 70) {
            throw new BadRequestException(
                    "The multipart body has no boundary.",
                    List.of(new FieldError(
                            "Content-Type",
                            "multipart/form-data needs a boundary parameter of 1 to 70 characters (RFC 2046)")));
        }
        var upload = new MultipartUpload(request, boundary);
        while (!upload.inFile && !upload.fileEnded) upload.step();
        return upload;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) return 0;
        while (pendingFrom == pendingTo) {
            if (fileEnded) {
                // the file is whole: the rest of the body must be its closing boundary
                while (!complete) step();
                return -1;
            }
            step();
        }
        int n = Math.min(length, pendingTo - pendingFrom);
        System.arraycopy(pending, pendingFrom, into, offset, n);
        pendingFrom += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        request.close();
    }

    /** Parses the next bytes of the request; throws what the parse refused. */
    private void step() throws IOException {
        if (requestEnded) throw truncated();
        int n = request.read(raw);
        if (n < 0) requestEnded = true;
        if (!inFile) {
            outside += Math.max(n, 0);
            if (outside > SLACK)
                throw refuse(
                        parts == 0
                                ? "more than " + SLACK + " bytes came before the first part"
                                : "more than " + SLACK + " bytes came after the file part");
        }
        parser.parse(Content.Chunk.from(ByteBuffer.wrap(raw, 0, Math.max(n, 0)), requestEnded));
        if (refused != null) throw refused;
        if (requestEnded && !complete) throw truncated();
        if (complete && !fileEnded)
            throw new BadRequestException(
                    "The multipart body has no file.",
                    List.of(new FieldError(BODY, "send one part named " + FILE_PART + " holding the CSV file")));
    }

    private static BadRequestException truncated() {
        return refuse("the body ended before its closing boundary: it was cut short");
    }

    private static BadRequestException refuse(String why) {
        return new BadRequestException(
                "The multipart body cannot be read; nothing was kept.", List.of(new FieldError(BODY, why)));
    }

    /** Jetty's parser tells each step here; it swallows what a listener throws, so a refusal is kept. */
    private final class Listener implements MultiPart.Parser.Listener {
        @Override
        public void onPartBegin() {
            parts++;
            headers.clear();
        }

        @Override
        public void onPartHeader(String name, String value) {
            // a header given twice: the parse is refused rather than one of them picked
            if (headers.put(name.toLowerCase(Locale.ROOT), value) != null && refused == null)
                refused = refuse("a part gives its " + name + " header twice");
        }

        @Override
        public void onPartHeaders() {
            if (refused != null) return;
            if (parts > 1) {
                refused = refuse("the body has a second part after the file: send one part named " + FILE_PART);
                return;
            }
            var parameters = new HashMap<String, String>();
            String disposition = headers.get("content-disposition");
            String kind = disposition == null ? "" : HttpField.getValueParameters(disposition, parameters);
            String name = parameters.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("name"))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
            if (!"form-data".equalsIgnoreCase(kind == null ? "" : kind.strip()) || !FILE_PART.equals(name)) {
                refused = new BadRequestException(
                        "The multipart body has no file.",
                        List.of(new FieldError(
                                BODY,
                                "its first part must be the file: Content-Disposition: form-data; name=\"" + FILE_PART
                                        + "\" (any filename)")));
                return;
            }
            String type = headers.get("content-type");
            if (type != null) {
                var parsed = RequestBody.parse(type);
                String charset = parsed.map(p -> p.parameters().get("charset")).orElse(null);
                if (parsed.isEmpty()
                        || !FILE_TYPES.contains(parsed.get().type())
                        || (charset != null && !charset.equalsIgnoreCase("utf-8"))) {
                    refused = new UnsupportedMediaTypeException(
                            "The file is not in a media type this route reads.",
                            List.of(new FieldError(
                                    FILE_PART,
                                    "its Content-Type must be " + String.join(", ", FILE_TYPES)
                                            + " or left out, in UTF-8 (no charset, or charset=utf-8)")));
                    return;
                }
            }
            inFile = true;
            outside = 0;
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            if (!inFile || refused != null) return;
            ByteBuffer bytes = chunk.getByteBuffer();
            int n = bytes.remaining();
            if (pendingFrom == pendingTo) pendingFrom = pendingTo = 0;
            if (pendingTo + n > pending.length)
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingTo + n));
            bytes.get(pending, pendingTo, n);
            pendingTo += n;
        }

        @Override
        public void onPartEnd() {
            if (inFile) {
                inFile = false;
                fileEnded = true;
            }
        }

        @Override
        public void onComplete() {
            complete = true;
        }

        @Override
        public void onFailure(Throwable failure) {
            if (refused != null) return;
            if (failure instanceof EOFException) refused = truncated();
            else if (failure instanceof IllegalStateException
                    && String.valueOf(failure.getMessage()).contains("headers"))
                refused = refuse("a part's headers are longer than " + HEADERS_MAX + " bytes");
            else refused = refuse("it is not multipart/form-data as RFC 7578 writes it (" + failure.getMessage() + ")");
        }
    }
}
