package dev.lethe.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does for an embedded H2 file the work H2's background writer does, and skips when commits are
 * written at once: rewriting the live pages of sparse chunks, so that whole chunks die and their
 * space can be reused.
 *
 * <p>H2's MVStore never overwrites data in place: each store appends a chunk holding the pages
 * that changed, and older chunks keep a shrinking share of live pages. With {@code WRITE_DELAY=0}
 * (see {@link Database#jdbcUrl}) each commit writes a chunk of its own and H2 runs no background
 * writer, so nothing ever rewrote those chunks: after a stream of small track batches, 5 % of the
 * chunk data in a 3.4 GB file was live and 84 % of the file was chunks that could not be freed.
 * With this, once a second through H2's own {@link MVStore#compact} (under the store lock, beside
 * transactions, as H2's thread does it), the same run left 11–13 % live and 40 % of the file in
 * chunks, the rest free for new ones. It does not make the file small while writes go on: H2 keeps
 * every chunk of the last 45 seconds (its retention time, which protects the file on power loss).
 *
 * <p>The store is reached through H2's engine classes (the embedded session), not through SQL,
 * which has no command for it; after an H2 upgrade, measure again (BENCHMARKS.md, "Durable
 * commits on H2").
 */
final class H2Housekeeping implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(H2Housekeeping.class);
    /** Rewrite while the chunks hold less live data than this, in percent (H2's busy target is 81). */
    private static final int TARGET_FILL_RATE = 80;
    /** Live bytes to move per round, so a round stays short beside ingest. */
    private static final int WRITE_LIMIT = 8 << 20;

    private static final long PERIOD_MILLIS = 1000;

    private final DataSource dataSource;
    private final ScheduledExecutorService executor;

    private H2Housekeeping(DataSource dataSource) {
        this.dataSource = dataSource;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("lethe-h2-housekeeping").unstarted(r));
        executor.scheduleWithFixedDelay(this::compact, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts for an embedded H2 database kept in a file; none for memory, a server or PostgreSQL. */
    static Optional<H2Housekeeping> startFor(DataSource dataSource) {
        try (var c = dataSource.getConnection()) {
            return store(c).filter(MVStore::isPersistent).map(s -> new H2Housekeeping(dataSource));
        } catch (SQLException e) {
            throw new IllegalStateException("could not open the embedded database", e);
        }
    }

    private void compact() {
        try (var c = dataSource.getConnection()) {
            var store = store(c);
            if (store.isPresent() && !store.get().isClosed() && store.get().compact(TARGET_FILL_RATE, WRITE_LIMIT)) {
                // the moved pages are written like any commit's, so the chunks they left can die
                store.get().commit();
            }
        } catch (SQLException | RuntimeException e) {
            // the next round tries again; the message may quote SQL, never values, but keep it out
            log.warn("H2 housekeeping round failed: {}", e.getClass().getName());
        }
    }

    private static Optional<MVStore> store(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) return Optional.empty();
        var session = connection.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local)) return Optional.empty();
        var store = local.getDatabase().getStore();
        return store == null ? Optional.empty() : Optional.of(store.getMvStore());
    }

    @Override
    public void close() {
        // no interrupt: an interrupted thread in the middle of a file write closes H2's file channel
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
