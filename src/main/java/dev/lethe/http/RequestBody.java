package dev.lethe.http;

import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.UnsupportedMediaTypeException;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How every request body is taken in, before a route sees it: a route that reads a body declares
 * the media types it reads ({@link Api.Route#accepts}), and its body must come in one of them, in
 * UTF-8 — JSON is UTF-8 (RFC 8259 §8.1), and so are the YAML policies. A missing, empty or
 * unreadable {@code Content-Type}, another media type, or another charset is 415; bytes that are
 * not UTF-8 are 400, with the offset of the first bad byte (a lenient decoder would store U+FFFD
 * in their place, silently changing the value). Nothing here quotes the body.
 */
final class RequestBody {

    static final String JSON = "application/json";
    static final String YAML = "application/yaml";

    /** Other names YAML goes by (RFC 9512 registered application/yaml in 2024). */
    private static final Map<String, String> ALIASES =
            Map.of("application/x-yaml", YAML, "text/yaml", YAML, "text/x-yaml", YAML);

    private static final String TEXT = "lethe.body";
    private static final String TYPE = "lethe.body.type";
    private static final String HEADER = "Content-Type";

    private RequestBody() {}

    /**
     * Checks the request's media type against {@code accepted} and decodes its body, for the route
     * to read with {@link #text} and {@link #mediaType}; 415 or 400 when it cannot be taken in.
     */
    static void takeIn(Context ctx, List<String> accepted) {
        byte[] bytes = ctx.bodyAsBytes();
        List<String> headers = Collections.list(ctx.req().getHeaders(HEADER));
        if (headers.isEmpty() && bytes.length == 0) {
            // no body at all: the route says what it needed
            ctx.attribute(TEXT, "");
            ctx.attribute(TYPE, accepted.get(0));
            return;
        }
        String type = mediaType(headers, accepted);
        ctx.attribute(TEXT, decode(bytes));
        ctx.attribute(TYPE, type);
    }

    /**
     * Checks a streamed body's media type against {@code accepted} (415 otherwise), without
     * reading the body: the route reads it as a stream.
     */
    static String checkType(Context ctx, List<String> accepted) {
        String type;
        try {
            type = mediaType(Collections.list(ctx.req().getHeaders(HEADER)), accepted);
        } catch (UnsupportedMediaTypeException e) {
            // a body that is refused is taken in as any route's is (at most the body limit, 413
            // beyond it), so the client reads the answer instead of a connection closed under it
            ctx.bodyAsBytes();
            throw e;
        }
        ctx.attribute(TYPE, type);
        return type;
    }

    /** The body as text; only for a route that declared what it accepts. */
    static String text(Context ctx) {
        String text = ctx.attribute(TEXT);
        if (text == null) throw new IllegalStateException("a route reads a body without declaring what it accepts");
        return text;
    }

    /** The body's media type, one the route accepts (aliases resolved: text/yaml is application/yaml). */
    static String mediaType(Context ctx) {
        String type = ctx.attribute(TYPE);
        if (type == null) throw new IllegalStateException("a route reads a body without declaring what it accepts");
        return type;
    }

    private static String mediaType(List<String> headers, List<String> accepted) {
        String expected = String.join(" or ", accepted) + ", in UTF-8 (no charset, or charset=utf-8)";
        if (headers.isEmpty()) throw refused("is required: send " + expected);
        if (headers.size() > 1) throw refused("is given more than once; send one: " + expected);
        var parsed = parse(headers.get(0));
        if (parsed.isEmpty()) throw refused("cannot be read as a media type; send " + expected);
        String type = ALIASES.getOrDefault(parsed.get().type(), parsed.get().type());
        if (!accepted.contains(type)) throw refused("this media type is not read here; send " + expected);
        String charset = parsed.get().parameters().get("charset");
        if (charset != null && !charset.equalsIgnoreCase("utf-8"))
            throw refused("charset must be utf-8 or left out (JSON and YAML bodies are UTF-8); send " + expected);
        return type;
    }

    private static UnsupportedMediaTypeException refused(String message) {
        return new UnsupportedMediaTypeException(
                "The body is not in a media type this route reads.", List.of(new FieldError(HEADER, message)));
    }

    /** A media type as RFC 9110 §8.3.1 writes it: {@code type/subtype *(; name=value)}. */
    record Parsed(String type, Map<String, String> parameters) {}

    /** The media type, lower-cased, with its parameters (names lower-cased); empty when unreadable. */
    static Optional<Parsed> parse(String header) {
        var in = new Cursor(header);
        in.skipSpace();
        String type = in.token();
        if (type.isEmpty() || !in.take('/')) return Optional.empty();
        String subtype = in.token();
        if (subtype.isEmpty()) return Optional.empty();
        var parameters = new LinkedHashMap<String, String>();
        in.skipSpace();
        while (in.take(';')) {
            in.skipSpace();
            if (in.atEnd() || in.peek(';')) continue; // empty parameters are allowed
            String name = in.token().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || !in.take('=')) return Optional.empty();
            Optional<String> value = in.peek('"') ? in.quoted() : Optional.of(in.token());
            if (value.isEmpty() || value.get().isEmpty()) return Optional.empty();
            if (parameters.put(name, value.get()) != null) return Optional.empty(); // which one would count?
            in.skipSpace();
        }
        if (!in.atEnd()) return Optional.empty();
        return Optional.of(new Parsed((type + "/" + subtype).toLowerCase(Locale.ROOT), parameters));
    }

    /**
     * The bytes as UTF-8, strictly; 400 naming the offset of the first byte that is not UTF-8. A
     * byte order mark at the start is ignored (RFC 8259 §8.1 allows it).
     */
    static String decode(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        var in = ByteBuffer.wrap(bytes);
        var out = CharBuffer.allocate(bytes.length);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new BadRequestException(
                    "The body is not UTF-8.",
                    List.of(new FieldError(
                            "",
                            "the byte at offset " + in.position()
                                    + " (counting from 0) is not UTF-8; JSON and YAML bodies must be UTF-8")));
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Reads a header value left to right. */
    private static final class Cursor {
        private static final String SEPARATORS = "()<>@,;:\\\"/[]?={} \t";
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        boolean peek(char c) {
            return !atEnd() && text.charAt(at) == c;
        }

        boolean take(char c) {
            if (!peek(c)) return false;
            at++;
            return true;
        }

        void skipSpace() {
            while (peek(' ') || peek('\t')) at++;
        }

        /** RFC 9110 token: visible ASCII but separators. */
        String token() {
            int start = at;
            while (!atEnd()) {
                char c = text.charAt(at);
                if (c <= 0x20 || c >= 0x7f || SEPARATORS.indexOf(c) >= 0) break;
                at++;
            }
            return text.substring(start, at);
        }

        /** RFC 9110 quoted-string, unescaped; empty when it does not close. */
        Optional<String> quoted() {
            take('"');
            var out = new StringBuilder();
            while (!atEnd()) {
                char c = text.charAt(at++);
                if (c == '"') return Optional.of(out.toString());
                if (c == '\\') {
                    if (atEnd()) return Optional.empty();
                    c = text.charAt(at++);
                }
                out.append(c);
            }
            return Optional.empty();
        }
    }
}
