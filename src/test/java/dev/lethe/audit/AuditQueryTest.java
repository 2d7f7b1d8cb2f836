package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.storage.Cursors;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An audit cursor continues only the filters that made it, from a sequence number it could hold. */
class AuditQueryTest {

    private static final String ACCOUNT = "019bc0e2-1280-7080-ba52-3f3e077dbaba";
    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final AuditQuery ACTIONS = new AuditQuery(FROM, null, null, "key.create", null, 2, 10);

    @Test
    void aCursorContinuesItsOwnFiltersWhateverTheLimit() {
        String cursor = ACTIONS.cursorAfter(ACCOUNT, 41);

        assertThat(ACTIONS.position(ACCOUNT, cursor)).contains(41L);
        assertThat(query(FROM, "key.create", 2, 500).position(ACCOUNT, cursor)).contains(41L);
        assertThat(ACTIONS.position("019bc0e2-1280-7080-ba52-3f3e077dbabb", cursor))
                .as("another account's")
                .isEmpty();
        assertThat(query(FROM, "key.revoke", 2, 10).position(ACCOUNT, cursor)).isEmpty();
        assertThat(query(null, "key.create", 2, 10).position(ACCOUNT, cursor)).isEmpty();
        assertThat(query(FROM, "key.create", 3, 10).position(ACCOUNT, cursor)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1", "99999999999999999999", "1e9", "4\u0000", ""})
    void aWellSealedCursorHoldingNoSequenceNumberAfterTheFilterIsRefused(String seq) {
        String forged = Cursors.seal(ACTIONS.filters(ACCOUNT), List.of(seq));

        assertThat(ACTIONS.position(ACCOUNT, forged)).isEmpty();
    }

    private static AuditQuery query(Instant from, String action, long after, int limit) {
        return new AuditQuery(from, null, null, action, null, after, limit);
    }
}
