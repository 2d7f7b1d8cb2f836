package dev.lethe.activity;

import dev.lethe.storage.Dialect;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Daily counts in SQL: ingest inserts deltas ({@code daily_count_deltas}); the roll-up, and only
 * it, adds them to the totals ({@code daily_counts}) and deletes exactly the deltas it added.
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
    public void add(Handle h, String accountId, List<DailyCount> counts) {
        if (counts.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into daily_count_deltas (account_id, on_day, metric, dimension, n)
                values (:account, :day, :metric, :dimension, :count)
                """);
        for (var c : counts) bind(batch, accountId, c).add();
        batch.execute();
    }

    @Override
    public List<DailyCount> between(Handle h, String accountId, LocalDate from, LocalDate to) {
        return h.createQuery("""
                        select on_day, metric, dimension, sum(total) as total from (
                          select on_day, metric, dimension, total from daily_counts
                          where account_id = :account and on_day >= :from and on_day <= :to
                          union all
                          select on_day, metric, dimension, n from daily_count_deltas
                          where account_id = :account and on_day >= :from and on_day <= :to
                        ) c
                        group by on_day, metric, dimension
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

    @Override
    public int rollUp(Handle h, String accountId, int limit) {
        // Locked, so a roll-up running at the same time (another instance) cannot add them too.
        var deltas = h.createQuery("""
                        select delta_no, on_day, metric, dimension, n from daily_count_deltas
                        where account_id = :account
                        order by delta_no
                        limit :limit
                        for update
                        """)
                .bind("account", accountId)
                .bind("limit", limit)
                .map((rs, ctx) -> Map.entry(
                        rs.getLong("delta_no"),
                        new DailyCount(
                                rs.getObject("on_day", LocalDate.class),
                                rs.getString("metric"),
                                rs.getString("dimension"),
                                rs.getLong("n"))))
                .list();
        if (deltas.isEmpty()) return 0;
        var sums = new TreeMap<DailyCount, Long>(KEY_ORDER);
        for (var d : deltas) sums.merge(d.getValue(), d.getValue().count(), Long::sum);
        addToTotals(
                h,
                accountId,
                sums.entrySet().stream()
                        .map(e -> new DailyCount(
                                e.getKey().day(),
                                e.getKey().metric(),
                                e.getKey().dimension(),
                                e.getValue()))
                        .toList());
        // Exactly the rows added: a delta committed meanwhile stays for the next roll-up.
        var delete = h.prepareBatch("delete from daily_count_deltas where account_id = :account and delta_no = :no");
        for (var d : deltas)
            delete.bind("account", accountId).bind("no", d.getKey()).add();
        delete.execute();
        return deltas.size();
    }

    @Override
    public List<String> accountsWithDeltas(Handle h) {
        return h.createQuery("select distinct account_id from daily_count_deltas order by 1")
                .mapTo(String.class)
                .list();
    }

    /** Adds to the totals, in key order (so two roll-ups cannot deadlock); an upsert per key. */
    private void addToTotals(Handle h, String accountId, List<DailyCount> counts) {
        if (dialect == Dialect.POSTGRESQL) {
            var batch = h.prepareBatch("""
                  insert into daily_counts (account_id, on_day, metric, dimension, total)
                  values (:account, :day, :metric, :dimension, :count)
                  on conflict (account_id, on_day, metric, dimension)
                  do update set total = daily_counts.total + excluded.total
                  """);
            for (var c : counts) bind(batch, accountId, c).add();
            batch.execute();
            return;
        }
        String merge = """
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
        // H2's MERGE is not safe against two transactions adding the same new row at once: the
        // loser gets a key violation (which, on H2, fails only that statement) and merges again,
        // now finding the row.
        for (var c : counts) {
            try {
                bind(h.createUpdate(merge), accountId, c).execute();
            } catch (UnableToExecuteStatementException e) {
                if (!(e.getCause() instanceof SQLIntegrityConstraintViolationException)) throw e;
                bind(h.createUpdate(merge), accountId, c).execute();
            }
        }
    }

    private static <S extends SqlStatement<S>> S bind(S statement, String accountId, DailyCount c) {
        return statement
                .bind("account", accountId)
                .bind("day", c.day())
                .bind("metric", c.metric())
                .bind("dimension", c.dimension())
                .bind("count", c.count());
    }
}
