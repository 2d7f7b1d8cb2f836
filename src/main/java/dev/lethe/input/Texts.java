package dev.lethe.input;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What no text Lethe takes may hold, wherever it comes from (a body, a policy, a query): a NUL
 * character (PostgreSQL refuses it in a text column, so it would fail after the request was
 * accepted) and half a character (a lone UTF-16 surrogate, which {@code "\ud800"} in JSON makes:
 * it is no character at all, and would be stored as U+FFFD or refused by the database).
 */
public final class Texts {

    private Texts() {}

    /** Why the text cannot be taken, or empty when it can. */
    public static Optional<String> problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') return Optional.of("holds a NUL character");
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                i++;
            else if (Character.isSurrogate(c))
                return Optional.of("holds half a character (a lone UTF-16 surrogate such as \\ud800)");
        }
        return Optional.empty();
    }

    /**
     * Whether percent-encoded text ({@code a%C3%A9}, as in a query string) decodes to UTF-8: every
     * {@code %} is followed by two hex digits, and the bytes they make are UTF-8. A lenient decoder
     * would drop a pair with {@code %ZZ} (widening a filter to everything) or put U+FFFD in place
     * of bytes that are not UTF-8.
     */
    public static boolean isUtf8PercentEncoded(String encoded) {
        var bytes = ByteBuffer.allocate(encoded.length() * 4);
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) return false;
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return false;
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else if (c > 0x7f) {
                // not escaped: the server already read it as text; its own bytes go on
                int end = Character.isHighSurrogate(c) && i + 1 < encoded.length() ? i + 2 : i + 1;
                bytes.put(encoded.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            } else bytes.put((byte) c);
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
