package dev.lethe.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.storage.Cursors;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A profile list cursor opens only to a position the list can start from: a cursor whose check
 * holds (made by someone who knows the format) but whose time lies outside the years Lethe takes,
 * or whose id or count is not one, is refused like any other text — never a time or text that
 * would reach the database.
 */
class ProfileCursorTest {

    private static final List<String> QUERY = List.of("profiles", "lastVisit");
    private static final String ID = "019bc0e2-1280-7080-ba52-3f3e077dbaba";

    @Test
    void aPositionGoesAndComesBack() {
        var cursor = new ProfileCursor("visits", Instant.parse("2026-01-15T09:00:00Z"), 7, ID);

        assertThat(ProfileCursor.decode(cursor.encode(QUERY), QUERY)).contains(cursor);
        assertThat(ProfileCursor.decode(cursor.encode(QUERY), List.of("profiles", "visits")))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "lastVisit|+1000000000-01-01T00:00:00Z||" + ID,
                "lastVisit|-1000000000-01-01T00:00:00Z||" + ID,
                "lastVisit|+10000-01-01T00:00:00Z||" + ID,
                "lastVisit|0000-12-31T23:59:59Z||" + ID,
                "lastVisit|2026-01-15T09:00:00Z\u0000||" + ID,
                "lastVisit|2026-01-15T09:00:00Z||" + ID + "\u0000",
                "last\u0000Visit|2026-01-15T09:00:00Z||" + ID,
                "lastVisit|2026-01-15T09:00:00Z||not-an-id",
                "visits|2026-01-15T09:00:00Z|-1|" + ID,
                "visits|2026-01-15T09:00:00Z|99999999999|" + ID,
                "visits|2026-01-15T09:00:00Z||" + ID,
                "lastVisit|2026-01-15T09:00:00Z|3|" + ID,
                "nearest|2026-01-15T09:00:00Z||" + ID
            })
    void aWellSealedCursorHoldingNoPositionIsRefused(String position) {
        String forged = Cursors.seal(QUERY, List.of(position.split("\\|", -1)));

        assertThat(ProfileCursor.decode(forged, QUERY)).isEmpty();
    }
}
