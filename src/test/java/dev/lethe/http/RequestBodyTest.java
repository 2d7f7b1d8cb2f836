package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lethe.errors.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading a Content-Type header (RFC 9110 §8.3.1) and a body's bytes as UTF-8, strictly. */
class RequestBodyTest {

    @Test
    void aMediaTypeIsReadWithItsParametersInAnyCase() {
        var parsed = RequestBody.parse("Application/JSON ; Charset=\"UTF-8\";  profile=x")
                .orElseThrow();

        assertThat(parsed.type()).isEqualTo("application/json");
        assertThat(parsed.parameters()).isEqualTo(Map.of("charset", "UTF-8", "profile", "x"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "json",
                "application/",
                "/json",
                "application/json;charset",
                "application/json; charset=",
                "application/json; charset=\"utf-8",
                "application/json; charset=utf-8; charset=latin1",
                "application/json garbage",
                "application/jsön"
            })
    void aHeaderThatIsNotAMediaTypeDoesNotRead(String header) {
        assertThat(RequestBody.parse(header)).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedAtTheirOffset() {
        byte[] truncated = {'{', '"', 'a', '"', ':', '"', (byte) 0xE2, (byte) 0x82};
        byte[] overlong = {'{', (byte) 0xC0, (byte) 0xAF, '}'};
        byte[] surrogate = {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};

        assertThat(offsetIn(truncated)).contains("offset 6");
        assertThat(offsetIn(overlong)).contains("offset 1");
        assertThat(offsetIn(surrogate)).contains("offset 2");
    }

    @Test
    void utf8IsReadAndALeadingByteOrderMarkIgnored() {
        String text = "{\"name\": \"Zébulon 🦓\"}";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, withBom, 0, bom.length);
        System.arraycopy(body, 0, withBom, bom.length, body.length);

        assertThat(RequestBody.decode(body)).isEqualTo(text);
        assertThat(RequestBody.decode(withBom)).isEqualTo(text);
    }

    private static String offsetIn(byte[] bytes) {
        return catchThrowableOfType(BadRequestException.class, () -> RequestBody.decode(bytes))
                .errors()
                .get(0)
                .message();
    }
}
