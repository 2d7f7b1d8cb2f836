package dev.lethe.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The engines every storage test runs on: H2 always, PostgreSQL when LETHE_TEST_PG_URL is set
 * (CI sets it). With LETHE_TEST_REQUIRE_PG=true a missing URL fails the run instead of quietly
 * testing H2 only. Use as {@code @MethodSource("dev.lethe.testing.TestDatabases#all")}.
 */
public final class TestDatabases {

    private TestDatabases() {}

    public static Stream<TestDatabase> all() {
        var out = new ArrayList<TestDatabase>();
        out.add(new TestDatabase("h2", "jdbc:h2:mem:"));
        String pg = System.getenv("LETHE_TEST_PG_URL");
        if (pg != null && !pg.isBlank()) out.add(new TestDatabase("postgresql", pg.strip()));
        else if ("true".equals(System.getenv("LETHE_TEST_REQUIRE_PG"))) {
            throw new IllegalStateException("LETHE_TEST_REQUIRE_PG=true but LETHE_TEST_PG_URL is not set");
        }
        return out.stream();
    }

    public static List<TestDatabase> list() {
        return all().toList();
    }
}
