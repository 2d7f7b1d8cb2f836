package dev.lethe.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 6 in the schema itself: every table carries the account id as the first column of its
 * primary key, so every row belongs to one tenant and the schema can be distributed by account.
 * The table list comes from the database, so a new table is checked the day it appears.
 */
class SchemaShapeTest {

    /**
     * The platform's own tables, which belong to no account, and why each is one. Nothing else may
     * join this list without a reason as good.
     */
    private static final Map<String, String> PLATFORM_TABLES = Map.of(
            "flyway_schema_history",
            "Flyway's record of the migrations applied to the schema",
            "scheduled_tasks",
            "db-scheduler's background jobs (dev.lethe.jobs.Jobs): a sweep runs for every account, and"
                    + " its row holds only the job's name and times, no account's data");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyTableIsKeyedByAccountFirst(TestDatabase engine) throws SQLException {
        try (var lethe = new TestLethe(engine);
                var c = DriverManager.getConnection(lethe.jdbcUrl())) {
            var tables = RawStorage.tables(lethe.jdbcUrl()).stream()
                    .filter(t -> !PLATFORM_TABLES.containsKey(t))
                    .toList();
            assertThat(tables).contains("accounts", "personal_values", "events", "audit_log");
            assertThat(RawStorage.tables(lethe.jdbcUrl()))
                    .as("each platform table exists, so the list stays true")
                    .containsAll(PLATFORM_TABLES.keySet());
            Map<String, String> firstKeyColumn = new TreeMap<>();
            var offenders = new ArrayList<String>();
            for (String table : tables) {
                String first = null;
                try (var keys = c.getMetaData().getPrimaryKeys(null, null, table)) {
                    while (keys.next()) {
                        if (keys.getShort("KEY_SEQ") == 1) first = keys.getString("COLUMN_NAME");
                    }
                }
                firstKeyColumn.put(table, first);
                if (!"account_id".equals(first)) offenders.add(table + " (first key column: " + first + ")");
            }
            assertThat(offenders)
                    .as("tables not keyed by account first: %s", firstKeyColumn)
                    .isEmpty();
        }
    }
}
