package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.LetheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a broken JSON body is described: where, what was expected, never a piece of the body. */
class JsonTreeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {zebulon: 1}                              | ''                  | expected a field name in double quotes, or '}'
            {"a": zebulon}                            | a                   | expected a value
            {"a" "zebulon"}                           | a                   | expected ':' after the field name
            {"a": "zebulon" "b": 1}                   | a                   | expected ',' or '}'
            {"a": {"b": ["zebulon" 1]}}               | a.b[1]              | expected ',' or ']'
            {"a": ["zebulon",]}                       | a[1]                | expected a value
            {"a": "zebulon", }                        | a                   | expected a field name in double quotes
            {"a": 01}                                 | a                   | not a valid JSON number
            {"a": "zebulon\\qx"}                      | a                   | unknown escape inside a text
            {"a": "zebulon\\u12"}                     | a                   | four hex digits
            {"a": [1, 2, {"b": "zebulon               | a[2].b              | the body ends inside a text
            {"a": [1, 2, {"b": "zebulon"}             | a[2]                | the body ends early: expected ',' or ']'
            zebulon                                   | ''                  | expected a JSON object
            {"a": 1} zebulon                          | ''                  | expected nothing more
            {"a": 1} {"zebulon": 2}                   | ''                  | one JSON object only
            """)
    void aSyntaxErrorSaysWhereAndWhatWasExpectedWithoutQuotingTheBody(String body, String path, String expected) {
        var e = catchThrowableOfType(BadRequestException.class, () -> JsonTree.parse(body));

        assertThat(e.errors()).hasSize(1);
        FieldError error = e.errors().get(0);
        assertThat(error.path()).isEqualTo(path);
        assertThat(error.message()).contains("line 1, column ").contains(expected);
        assertThat(error.message()).doesNotContain("zebulon").doesNotContain("Unrecognized", "token", "code");
    }

    @Test
    void aControlCharacterInsideATextIsToldToBeEscaped() {
        var e = catchThrowableOfType(BadRequestException.class, () -> JsonTree.parse("{\"a\": \"zeb\tulon\"}"));

        assertThat(e.errors().get(0).path()).isEqualTo("a");
        assertThat(e.errors().get(0).message()).contains("must be escaped").doesNotContain("zeb");
    }

    @Test
    void nestingBeyondTheReadersLimitIsALimitNotACrash() {
        String deep = "{\"a\": " + "[".repeat(5000) + "]".repeat(5000) + "}";

        var e = catchThrowableOfType(BadRequestException.class, () -> JsonTree.parse(deep));

        assertThat(e.errors().get(0).message()).contains("nested too deep");
    }

    @Test
    void everyDuplicateKeyIsNamedWithItsPath() {
        var e = catchThrowableOfType(LetheException.class, () -> JsonTree.parse("""
                {"a": {"b": 1, "b": 2}, "c": [{"d": 1, "d": 1}], "a": 3}"""));

        assertThat(e).isInstanceOf(BadRequestException.class);
        assertThat(e.errors()).extracting(FieldError::path).containsExactly("a.b", "c[0].d", "a");
    }

    @Test
    void numbersKeepTheirValue() {
        var tree = JsonTree.parse("""
                {"i": 7, "l": 12345678901, "big": 123456789012345678901234567890, "f": 1.5}""");

        assertThat(tree.get("i").asText()).isEqualTo("7");
        assertThat(tree.get("l").asText()).isEqualTo("12345678901");
        assertThat(tree.get("big").asText()).isEqualTo("123456789012345678901234567890");
        assertThat(tree.get("f").asText()).isEqualTo("1.5");
    }
}
