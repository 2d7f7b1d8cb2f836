package dev.lethe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.Lethe;
import dev.lethe.http.BrowserOrigins;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

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
        this(engine, BrowserOrigins.none());
    }

    /** A Lethe whose ingest routes answer CORS for these web pages. */
    public TestLethe(TestDatabase engine, BrowserOrigins corsOrigins) {
        this(engine, corsOrigins, java.util.function.UnaryOperator.identity());
    }

    /** A Lethe whose settings a test changes (a short sweep interval, say). */
    public TestLethe(TestDatabase engine, java.util.function.UnaryOperator<Lethe.Config> settings) {
        this(engine, BrowserOrigins.none(), settings);
    }

    private TestLethe(
            TestDatabase engine, BrowserOrigins corsOrigins, java.util.function.UnaryOperator<Lethe.Config> settings) {
        this.db = engine.fresh();
        try {
            this.dataDir = Files.createTempDirectory("lethe-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var config = new Lethe.Config(
                dataDir,
                db.settings(),
                new HttpServer.Settings("127.0.0.1", 0, 200_000, corsOrigins)
                        .withResponseCheck(new SchemaConformance()),
                Optional.of(OPERATOR_KEY));
        this.lethe = Lethe.start(settings.apply(config), clock, new SecureRandom());
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

    /** A new API key with these scopes, made with an account's admin key; returns its id and the key. */
    public ApiKey createKey(String adminKey, String... scopes) {
        String list = Arrays.stream(scopes).map(s -> "\"" + s + "\"").collect(Collectors.joining(","));
        var r = http.post("/v1/keys", adminKey, "{\"scopes\":[" + list + "]}");
        if (r.status() != 201) throw new AssertionError("could not create key: " + r);
        return new ApiKey(r.json().get("keyId").asText(), r.json().get("key").asText());
    }

    /** An API key as a test sees it: its public id and the whole key to present. */
    public record ApiKey(String keyId, String key) {}

    /** The keys the admin key's account holds (GET /v1/keys). */
    public JsonNode keys(String adminKey) {
        return okJson(http.get("/v1/keys", adminKey)).get("keys");
    }

    /** The account's policy versions, newest first (GET /v1/policy/versions). */
    public JsonNode policyVersions(String key) {
        return okJson(http.get("/v1/policy/versions", key)).get("versions");
    }

    /** What verifying the key's audit chain reports: intact, entries, head, problems (GET /v1/audit/verify). */
    public JsonNode verifyAudit(String key) {
        return okJson(http.get("/v1/audit/verify", key));
    }

    /** The key id in a key of the shape {@code lethe_<keyId>_<secret>}. */
    public static String keyIdOf(String key) {
        return key.split("_")[1];
    }

    /** The secret in a key of the shape {@code lethe_<keyId>_<secret>}. */
    public static String secretOf(String key) {
        return key.substring(key.lastIndexOf('_') + 1);
    }

    private static JsonNode okJson(Http.Response r) {
        if (r.status() != 200) throw new AssertionError("expected 200, got " + r);
        return r.json();
    }

    @Override
    public void close() {
        try {
            lethe.close();
        } finally {
            db.close();
        }
    }
}
