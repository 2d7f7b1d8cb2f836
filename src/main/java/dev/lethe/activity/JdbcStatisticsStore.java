package dev.lethe.activity;

import dev.lethe.storage.Dialect;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Daily counts in SQL. Adding is an upsert: PostgreSQL's {@code on conflict} is safe against two
 * batches adding the same new row at once; H2 uses MERGE (it locks the table row).
 */
public final class JdbcStatisticsStore implements StatisticsStore {

    private static final Comparator<DailyCount> KEY_ORDER = Comparator.comparing(DailyCount::day)
            .thenComparing(DailyCount::metric)
            .thenComparing(DailyCount::dimension);

    private final Dialect dialect;

    public JdbcStatisticsStore(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public void add(Handle h, String accountId, List<DailyCount> unordered) {
        if (unordered.isEmpty()) return;
        // In key order, so two batches adding to the same counters lock them in the same order
        // and cannot deadlock.
        var counts = unordered.stream().sorted(KEY_ORDER).toList();
        String sql = dialect == Dialect.POSTGRESQL ? """
                  insert into daily_counts (account_id, on_day, metric, dimension, total)
                  values (:account, :day, :metric, :dimension, :count)
                  on conflict (account_id, on_day, metric, dimension)
                  do update set total = daily_counts.total + excluded.total
                  """ : """
                  merge into daily_counts t
                  using (values (cast(:account as varchar), cast(:day as date), cast(:metric as varchar),
                                 cast(:dimension as varchar), cast(:count as bigint)))
                        as s(account_id, on_day, metric, dimension, n)
                  on t.account_id = s.account_id and t.on_day = s.on_day and t.metric = s.metric
                     and t.dimension = s.dimension
                  when matched then update set total = t.total + s.n
                  when not matched then insert (account_id, on_day, metric, dimension, total)
                    values (s.account_id, s.on_day, s.metric, s.dimension, s.n)
                  """;
        if (dialect == Dialect.POSTGRESQL) {
            var batch = h.prepareBatch(sql);
            for (var c : counts) bind(batch, accountId, c).add();
            batch.execute();
            return;
        }
        // H2's MERGE is not safe against two transactions adding the same new row at once: the
        // loser gets a key violation (which, on H2, fails only that statement) and merges again,
        // now finding the row.
        for (var c : counts) {
            try {
                bind(h.createUpdate(sql), accountId, c).execute();
            } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
                if (!(e.getCause() instanceof java.sql.SQLIntegrityConstraintViolationException)) throw e;
                bind(h.createUpdate(sql), accountId, c).execute();
            }
        }
    }

    private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bind(
            S statement, String accountId, DailyCount c) {
        return statement
                .bind("account", accountId)
                .bind("day", c.day())
                .bind("metric", c.metric())
                .bind("dimension", c.dimension())
                .bind("count", c.count());
    }

    @Override
    public List<DailyCount> between(Handle h, String accountId, LocalDate from, LocalDate to) {
        return h.createQuery("""
                        select on_day, metric, dimension, total from daily_counts
                        where account_id = :account and on_day >= :from and on_day <= :to
                        order by on_day, metric, total desc, dimension
                        """)
                .bind("account", accountId)
                .bind("from", from)
                .bind("to", to)
                .map((rs, ctx) -> new DailyCount(
                        rs.getObject("on_day", LocalDate.class),
                        rs.getString("metric"),
                        rs.getString("dimension"),
                        rs.getLong("total")))
                .list();
    }
}
