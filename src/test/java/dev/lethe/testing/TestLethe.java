package dev.lethe.testing;

import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A whole Lethe, started on a free loopback port over a fresh database, with a fixed operator key
 * and a clock the test controls.
 */
public final class TestLethe implements AutoCloseable {

    public static final String OPERATOR_KEY = "test-operator-key-0123456789abcdef";

    private final TestDatabase.Fresh db;
    private final Lethe lethe;
    private final Http http;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T09:00:00Z"));
    private final Path dataDir;

    public TestLethe(TestDatabase engine) {
        this.db = engine.fresh();
        try {
            this.dataDir = Files.createTempDirectory("lethe-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var config = new Lethe.Config(
                dataDir, db.settings(), new HttpServer.Settings("127.0.0.1", 0, 200_000), Optional.of(OPERATOR_KEY));
        this.lethe = Lethe.start(config, clock, new SecureRandom());
        this.http = new Http(lethe.port());
    }

    public Http http() {
        return http;
    }

    public Lethe lethe() {
        return lethe;
    }

    public MutableClock clock() {
        return clock;
    }

    /** The JDBC URL of this instance's database, for reading or tampering with raw tables. */
    public String jdbcUrl() {
        return db.settings().url();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The number a counting query answers, read with a plain connection (raw storage, no API). */
    public long count(String sql, Object... parameters) {
        var rows = strings(sql, parameters);
        if (rows.size() != 1) throw new AssertionError("'" + sql + "' gave " + rows.size() + " rows, not one");
        return Long.parseLong(rows.get(0));
    }

    /** The first column of every row a query answers, as text, read with a plain connection. */
    public List<String> strings(String sql, Object... parameters) {
        try (var c = DriverManager.getConnection(jdbcUrl());
                var s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) s.setObject(i + 1, parameters[i]);
            var out = new ArrayList<String>();
            try (var rs = s.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "'", e);
        }
    }

    /** A new account; returns its id and admin key. */
    public Tenant createAccount(String name) {
        var r = http.post("/v1/accounts", OPERATOR_KEY, "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) throw new AssertionError("could not create account: " + r);
        return new Tenant(r.json().get("id").asText(), r.json().get("adminKey").asText());
    }

    /** An account as a test sees it. */
    public record Tenant(String id, String adminKey) {}

    @Override
    public void close() {
        try {
            lethe.close();
        } finally {
            db.close();
        }
    }
}
