package dev.lethe.retention;

import static dev.lethe.storage.Timestamps.utc;

import dev.lethe.storage.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A condition on the rows of one table, with its bound values: what a rule selects. Built once per
 * rule and trigger and used alike to count what holds keep, to pick a batch and to preview, so
 * that the three can never disagree.
 */
final class Where {

    private final List<String> terms = new ArrayList<>();
    private final Map<String, Object> binds = new LinkedHashMap<>();
    private final Map<String, List<?>> lists = new LinkedHashMap<>();
    /** The column of the last range condition: batches are taken in its order (see {@link #order}). */
    private String rangeColumn;
    /** Bound names are unique across conditions, so one condition can be nested in another. */
    private static final java.util.concurrent.atomic.AtomicLong NAMES = new java.util.concurrent.atomic.AtomicLong();

    Where(String accountId) {
        terms.add("account_id = :account");
        binds.put("account", accountId);
    }

    private Where(Where other) {
        terms.addAll(other.terms);
        binds.putAll(other.binds);
        lists.putAll(other.lists);
        rangeColumn = other.rangeColumn;
    }

    Where copy() {
        return new Where(this);
    }

    /**
     * A term with its bound values, given as {@code :name} placeholders; a name is bound once per
     * condition (the caller keeps them apart).
     */
    Where and(String term, Object... nameValuePairs) {
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            binds.put((String) nameValuePairs[i], bindable(nameValuePairs[i + 1]));
        }
        terms.add(term);
        return this;
    }

    /** {@code column in (values)}; an empty list matches nothing. */
    Where in(String column, Collection<?> values, boolean uuids) {
        if (values.isEmpty()) {
            terms.add("1 = 0");
            return this;
        }
        String name = fresh("list");
        terms.add(column + " in (<" + name + ">)");
        lists.put(name, uuids ? Ids.uuids(values.stream().map(String::valueOf).toList()) : List.copyOf(values));
        return this;
    }

    /** {@code column not in (values)}, or nothing when there are none. */
    Where notIn(String column, Collection<?> values, boolean uuids) {
        if (values.isEmpty()) return this;
        String name = fresh("list");
        terms.add("(" + column + " is null or " + column + " not in (<" + name + ">))");
        lists.put(name, uuids ? Ids.uuids(values.stream().map(String::valueOf).toList()) : List.copyOf(values));
        return this;
    }

    /** The column's time lies in one of these ranges (an empty list matches nothing). */
    Where within(String column, List<Expiry.Range> ranges) {
        rangeColumn = column;
        if (ranges.isEmpty()) {
            terms.add("1 = 0");
            return this;
        }
        var parts = new ArrayList<String>();
        for (var r : ranges) {
            String to = fresh("to");
            binds.put(to, utc(r.to()));
            if (r.from() == null) {
                parts.add(column + " < :" + to);
            } else {
                String from = fresh("from");
                binds.put(from, utc(r.from()));
                parts.add("(" + column + " >= :" + from + " and " + column + " < :" + to + ")");
            }
        }
        terms.add(parts.size() == 1 ? parts.get(0) : "(" + String.join(" or ", parts) + ")");
        return this;
    }

    /** The condition, for after {@code where}. */
    String sql() {
        return String.join(" and ", terms);
    }

    /**
     * {@code order by} the range column, for a batch select ({@code … limit n}); empty for a
     * condition without a range. Without it PostgreSQL may read a batch by a sequential scan of a
     * big table, hoping to meet {@code n} matching rows early (930 ms per batch on a 13 GB {@code
     * personal_values}); with it, it walks the index whose last column is the range (0.3 ms). See
     * docs/bench/sweep-plans.md.
     */
    String order() {
        return rangeColumn == null ? "" : " order by " + rangeColumn;
    }

    /** Binds this condition's values to a statement that uses {@link #sql}. */
    <S extends SqlStatement<S>> S bind(S statement) {
        binds.forEach(statement::bind);
        lists.forEach(statement::bindList);
        return statement;
    }

    private static String fresh(String name) {
        return name + "_" + NAMES.incrementAndGet();
    }

    /** Binds a list used as {@code <name>} in a term. */
    Where list(String name, List<?> values) {
        lists.put(name, List.copyOf(values));
        return this;
    }

    /** A bound value, by name. */
    Object value(String name) {
        return binds.get(name);
    }

    /**
     * Nests this condition in {@code outer} as {@code column in (select column from table where
     * …)}: unqualified names inside resolve to {@code table}.
     */
    Where nestIn(Where outer, String column, String table) {
        outer.terms.add(column + " in (select " + column + " from " + table + " where " + sql() + ")");
        outer.binds.putAll(binds);
        outer.lists.putAll(lists);
        return outer;
    }

    private static Object bindable(Object value) {
        return value instanceof Instant i ? utc(i) : value;
    }
}
