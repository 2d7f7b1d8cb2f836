package dev.lethe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CursorsTest {

    private static final List<String> QUERY = Arrays.asList("profiles", null, "tag-index", "lastVisit");
    private static final List<String> POSITION = List.of("lastVisit", "2026-01-15T09:00:00Z", "", "an-id");

    @Test
    void aCursorOpensWithTheQueryThatSealedItAndGivesBackItsPosition() {
        String cursor = Cursors.seal(QUERY, POSITION);

        assertThat(cursor).matches("[A-Za-z0-9_-]+").doesNotContain("2026", "tag-index");
        assertThat(Cursors.open(cursor, QUERY, 4)).contains(POSITION);
        assertThat(Cursors.wellFormed(cursor, 4)).isTrue();
    }

    @Test
    void aCursorOfAnotherQueryDoesNotOpen() {
        String cursor = Cursors.seal(QUERY, POSITION);

        assertThat(Cursors.open(cursor, Arrays.asList("profiles", null, "tag-index", "firstVisit"), 4))
                .isEmpty();
        assertThat(Cursors.open(cursor, Arrays.asList("profiles", "tag-index", null, "lastVisit"), 4))
                .isEmpty();
        assertThat(Cursors.open(cursor, Arrays.asList("profiles", "", "tag-index", "lastVisit"), 4))
                .isEmpty();
        assertThat(Cursors.open(cursor, QUERY, 3)).isEmpty();
    }

    @Test
    void anAlteredOrMadeUpCursorDoesNotOpen() {
        String cursor = Cursors.seal(QUERY, POSITION);
        String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String moved = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(plain.replace("2026-01-15", "2026-01-14").getBytes(StandardCharsets.UTF_8));

        assertThat(Cursors.open(moved, QUERY, 4)).isEmpty();
        assertThat(Cursors.wellFormed(moved, 4)).isTrue();
        for (String text : List.of("", "abc", "%00", "\u0000", "a b", "x".repeat(1001), cursor + "=")) {
            assertThat(Cursors.open(text, QUERY, 4)).as(text).isEmpty();
        }
        assertThat(Cursors.open(null, QUERY, 4)).isEmpty();
    }

    @Test
    void aPositionPartMayNotHoldTheSeparator() {
        assertThatThrownBy(() -> Cursors.seal(QUERY, List.of("a|b"))).isInstanceOf(IllegalArgumentException.class);
    }
}
