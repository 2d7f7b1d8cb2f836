package dev.lethe.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextsTest {

    @Test
    void aNulOrHalfACharacterIsNamedAndAWholeOneIsNot() {
        assertThat(Texts.problem("plain text, é, 😀")).isEmpty();
        assertThat(Texts.problem("a\u0000b")).hasValue("holds a NUL character");
        assertThat(Texts.problem("a\ud800")).get().asString().contains("half a character");
        assertThat(Texts.problem("\udc00a")).get().asString().contains("half a character");
        assertThat(Texts.problem("\ud83d\ude00")).isEmpty();
    }

    @Test
    void percentEscapesMustDecodeToUtf8() {
        assertThat(Texts.isUtf8PercentEncoded("tag=caf%C3%A9")).isTrue();
        assertThat(Texts.isUtf8PercentEncoded("tag=%FF")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("tag=%ED%A0%80")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("tag=100%")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("tag=%zz")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("%ZZ=%FF")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("tag=é%FF")).isFalse();
        assertThat(Texts.isUtf8PercentEncoded("tag=é%C3%A9")).isTrue();
    }
}
