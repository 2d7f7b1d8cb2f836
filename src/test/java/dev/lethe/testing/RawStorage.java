package dev.lethe.testing;

import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Raw storage as an attacker with a copy of the database would see it: every column of every
 * table of the schema, the table list read from the database's own metadata (never a hand-kept
 * list, so a new table is scanned the day it appears).
 */
public final class RawStorage {

    private static final Pattern CURRENT_SCHEMA = Pattern.compile("[?&]currentSchema=([^&;]+)");

    private RawStorage() {}

    /** One cell as text: binary cells appear twice, read as UTF-8 and as Latin-1. */
    public record Cell(String table, String column, String text) {
        @Override
        public String toString() {
            return table + "." + column;
        }
    }

    /** The base tables of the schema the URL works in (PostgreSQL: its currentSchema). */
    public static List<String> tables(String jdbcUrl) {
        try (var c = DriverManager.getConnection(jdbcUrl)) {
            return tables(c, schema(c, jdbcUrl));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the tables", e);
        }
    }

    /**
     * The columns of every base table of the schema (table → column names), leaving out the
     * partitions of a partitioned table, which are the parent's rows.
     */
    public static Map<String, List<String>> columns(String jdbcUrl) {
        var out = new TreeMap<String, List<String>>();
        try (var c = DriverManager.getConnection(jdbcUrl)) {
            String schema = schema(c, jdbcUrl);
            var partitions = new HashSet<String>();
            if (jdbcUrl.startsWith("jdbc:postgresql:")) {
                try (var s = c.prepareStatement("""
                        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where c.relispartition and n.nspname = ?
                        """)) {
                    s.setString(1, schema);
                    try (var rs = s.executeQuery()) {
                        while (rs.next()) partitions.add(rs.getString(1));
                    }
                }
            }
            for (String table : tables(c, schema)) {
                if (partitions.contains(table)) continue;
                var names = new ArrayList<String>();
                try (var rs = c.getMetaData().getColumns(null, schema, table, null)) {
                    while (rs.next()) names.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
                out.put(table, names);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the columns", e);
        }
        return out;
    }

    /** Every non-null cell of every table of the schema, as text. */
    public static List<Cell> cells(String jdbcUrl) {
        var out = new ArrayList<Cell>();
        try (var c = DriverManager.getConnection(jdbcUrl)) {
            for (String table : tables(c, schema(c, jdbcUrl))) {
                try (var s = c.createStatement();
                        var rs = s.executeQuery("select * from \"" + table + "\"")) {
                    var meta = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            String column = meta.getColumnName(i);
                            for (String text : texts(rs.getObject(i))) out.add(new Cell(table, column, text));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the tables", e);
        }
        return out;
    }

    private static String schema(Connection c, String jdbcUrl) throws SQLException {
        var m = CURRENT_SCHEMA.matcher(jdbcUrl);
        return m.find() ? m.group(1) : c.getSchema();
    }

    private static List<String> tables(Connection c, String schema) throws SQLException {
        var out = new ArrayList<String>();
        try (var s = c.prepareStatement("""
                select table_name from information_schema.tables
                where table_schema = ? and table_type = 'BASE TABLE'
                order by table_name
                """)) {
            s.setString(1, schema);
            try (var rs = s.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static List<String> texts(Object value) throws SQLException {
        if (value == null) return List.of();
        if (value instanceof Blob b) value = b.getBytes(1, (int) b.length());
        if (value instanceof Clob c) value = c.getSubString(1, (int) c.length());
        if (value instanceof byte[] bytes) {
            return List.of(new String(bytes, StandardCharsets.UTF_8), new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return List.of(String.valueOf(value));
    }
}
