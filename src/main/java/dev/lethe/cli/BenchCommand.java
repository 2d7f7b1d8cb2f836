package dev.lethe.cli;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.prf.PrfSet;
import dev.lethe.Lethe;
import dev.lethe.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe bench}: ingests events over HTTP on loopback into a Lethe started in this process,
 * and measures in the same run what bounds it: PostgreSQL COPY of equivalent rows (when the
 * database is PostgreSQL), AES-GCM sealing and PRF (blind index) throughput. Prints medians of
 * several rounds; the machine is shared and noisy, so compare ratios, not single figures.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure ingest throughput beside its physical limits.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    Options.Storage storage;

    @Option(names = "--events", defaultValue = "20000", description = "Events per round (default 20000).")
    int events;

    @Option(
            names = "--batch",
            defaultValue = "500",
            description = "Events per /v1/track call (default 500, at most 1000).")
    int batch;

    @Option(names = "--clients", defaultValue = "2", description = "Concurrent HTTP clients (default 2).")
    int clients;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default 3).")
    int rounds;

    @Option(
            names = "--visitors",
            defaultValue = "2000",
            description = "Distinct visitors the events come from (default 2000).")
    int visitors;

    @Option(
            names = "--returning",
            description = "After each round, send the same number of events again from that round's visitors"
                    + " (returning visitors, sessions continued) and report those rounds apart.")
    boolean returning;

    @Option(
            names = "--erasures",
            defaultValue = "0",
            description = "Also erase this many people (5 events each) for the logical erasure's p50/p99, and"
                    + " --rounds people of 1,000 events for the purge beside a plain DELETE (default 0: not measured).")
    int erasures;

    @Option(
            names = "--sweep-events",
            defaultValue = "0",
            description =
                    "Instead of ingest rounds, measure expiry on PostgreSQL: a month of this many expired"
                            + " events (one value each) swept whole, a plain DELETE and a DROP TABLE of as many (default 0: off).")
    int sweepEvents;

    @Option(
            names = "--sweep-row-events",
            defaultValue = "1000000",
            description =
                    "With --sweep-events: expired events (one value each) swept by the row path (default 1000000).")
    int sweepRowEvents;

    @Option(
            names = "--transfer-rows",
            defaultValue = "0",
            description = "Instead of ingest rounds, import a CSV of this many profiles (preview and commit), export"
                    + " them, and (with --bulk-delete) erase some in bulk, beside PostgreSQL COPY of the same rows"
                    + " (default 0: off). Cap the heap to see that memory does not grow with the file:"
                    + " JAVA_TOOL_OPTIONS=-Xmx512m.")
    int transferRows;

    @Option(
            names = "--bulk-delete",
            defaultValue = "0",
            description =
                    "With --transfer-rows: erase this many of the imported people in one bulk deletion (default 0).")
    int bulkDelete;

    @Option(
            names = "--bulk-deletion-batch",
            defaultValue = "500",
            description = "With --bulk-delete: identifiers the bulk deletion erases per step, 1..5000 (default 500,"
                    + " the server's default), to compare step sizes on one machine.")
    int bulkDeletionBatch;

    @Option(
            names = "--transfer-import-only",
            description = "With --transfer-rows: measure the import alone (no export, no bulk deletion).")
    boolean transferImportOnly;

    @Option(
            names = "--export-rounds",
            defaultValue = "2",
            description = "With --transfer-rows: how many times each export (default columns; values opened) is"
                    + " run after the one import; the first round also warms the code up (default 2).")
    int exportRounds;

    @Option(
            names = "--export-cold",
            description = "With --transfer-rows: in each round, also export the opened values right after"
                    + " forgetting every cached person's key, as a server that has just started would.")
    boolean exportCold;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (batch < 1 || batch > 1000) throw new SettingException("--batch must be 1..1000");
        if (bulkDeletionBatch < 1 || bulkDeletionBatch > dev.lethe.transfer.TransferSettings.MAX_BULK_DELETION_BATCH)
            throw new SettingException("--bulk-deletion-batch must be 1..5000");
        Path dataDir = Files.createTempDirectory("lethe-bench");
        var settings = storage.database();
        var bootstrap = "bench-operator-key-" + Long.toHexString(new SecureRandom().nextLong());
        var config = new Lethe.Config(
                        dataDir, settings, new HttpServer.Settings("127.0.0.1", 0, 50_000_000), Optional.of(bootstrap))
                .withTransfers(dev.lethe.transfer.TransferSettings.DEFAULT.withBulkDeletionBatch(bulkDeletionBatch));
        out.printf(
                "machine: %d cores, JDK %s, database %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                settings.url().replaceAll("password=[^&;]*", "password=…"));
        out.printf(
                "workload: %d events per round in batches of %d, %d clients, %d visitors, 3 tracked values per event%s%n",
                events, batch, clients, visitors, returning ? "; each round then repeated by the same visitors" : "");
        var ingest = new ArrayList<Double>();
        var again = new ArrayList<Double>();
        try (var lethe = Lethe.start(config, Lethe.microsecondClock(), new SecureRandom())) {
            var client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + lethe.port();
            String[] created = createAccount(client, base, bootstrap);
            String admin = created[1];
            String accountId = created[0];
            put(client, base + "/v1/policy", admin, resource("bench/policy.yaml"));
            track(client, base, admin, Math.min(events, 2000), 0); // warm-up
            if (settings.url().startsWith("jdbc:postgresql:")) {
                out.println(analyze(settings.url(), settings.user(), settings.password()));
            }
            if (transferRows > 0) {
                if (bulkDelete > transferRows)
                    throw new SettingException("--bulk-delete must not exceed --transfer-rows");
                if (exportRounds < 1) throw new SettingException("--export-rounds must be at least 1");
                new TransferBench(base, admin, settings, out, dataDir)
                        .run(
                                transferRows,
                                transferImportOnly ? 0 : bulkDelete,
                                transferImportOnly ? 0 : exportRounds,
                                exportCold ? lethe.keyring()::forgetCachedKeys : null);
                return 0;
            }
            if (sweepEvents > 0) {
                if (!settings.url().startsWith("jdbc:postgresql:"))
                    throw new SettingException("--sweep-events measures PostgreSQL: pass --db-url jdbc:postgresql://…");
                new SweepBench(out, settings, lethe, (n, round) -> track(client, base, admin, n, round), accountId)
                        .run(sweepRowEvents, sweepEvents);
                return 0;
            }
            for (int r = 0; r < rounds; r++) {
                ingest.add(track(client, base, admin, events, r + 1));
                // the same visitor ids again, within the session timeout: every visitor is found,
                // every session continues
                if (returning) again.add(track(client, base, admin, events, r + 1));
            }
            if (erasures > 0) {
                new ErasureBench(lethe, base, admin, accountId(client, base, admin), out).run(erasures, rounds);
            }
        }
        out.printf(
                "ingest over HTTP, new visitors: median %.0f events/s (rounds: %s)%n", median(ingest), format(ingest));
        if (returning) {
            out.printf(
                    "ingest over HTTP, returning visitors: median %.0f events/s (rounds: %s)%n",
                    median(again), format(again));
        }

        double gcm = sealRate();
        double prf = prfRate();
        out.printf("AES-256-GCM seal (Tink, 40-byte values): median %.0f values/s%n", gcm);
        out.printf("HMAC-SHA256 PRF (Tink, blind index): median %.0f /s%n", prf);
        if (settings.url().startsWith("jdbc:postgresql:")) {
            var copy = new ArrayList<Double>();
            for (int r = 0; r < rounds; r++)
                copy.add(copyRate(settings.url(), settings.user(), settings.password(), events));
            double copyMedian = median(copy);
            out.printf(
                    "PostgreSQL COPY of the same rows (1 event + 3 values per event): median %.0f events/s (rounds: %s)%n",
                    copyMedian, format(copy));
            out.printf("ingest / COPY, new visitors: %.3f%n", median(ingest) / copyMedian);
            if (returning) out.printf("ingest / COPY, returning visitors: %.3f%n", median(again) / copyMedian);
        } else {
            out.println(
                    "PostgreSQL COPY: not measured (the database is not PostgreSQL; pass --db-url jdbc:postgresql://…)");
        }
        return 0;
    }

    private double track(HttpClient client, String base, String key, int count, int round) throws Exception {
        int calls = (count + batch - 1) / batch;
        var next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            var futures = new ArrayList<Future<Integer>>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    int sent = 0;
                    for (int call; (call = next.getAndIncrement()) < calls; ) {
                        int n = Math.min(batch, count - call * batch);
                        var body = new StringBuilder("{\"events\":[");
                        for (int i = 0; i < n; i++) {
                            int seq = call * batch + i;
                            if (i > 0) body.append(',');
                            body.append("{\"visitorId\":\"r")
                                    .append(round)
                                    .append("-v")
                                    .append(seq % visitors)
                                    .append("\",\"type\":\"page_view\",\"context\":{\"ip\":\"203.0.113.")
                                    .append(seq % 250)
                                    .append("\",\"url\":\"https://shop.example/p/")
                                    .append(seq)
                                    .append("\"},\"properties\":{\"interest\":\"shoes\"}}");
                        }
                        body.append("]}");
                        var r = client.send(
                                HttpRequest.newBuilder(URI.create(base + "/v1/track"))
                                        .header("Authorization", "Bearer " + key)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 202)
                            throw new IllegalStateException("track answered " + r.statusCode() + ": " + r.body());
                        sent += n;
                    }
                    return sent;
                }));
            }
            int sent = 0;
            for (var f : futures) sent += f.get();
            return sent / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Gives the planner statistics of the tables ingest uses, once they hold the warm-up's rows,
     * as autovacuum would on a production server. Without them, statements planned on the empty
     * tables keep those plans in the pool's prepared statements for the whole run (a primary key
     * lookup planned as a scan of another index, say), and rounds measure the plan lottery.
     * Returns a line saying what was done, and whether autovacuum will do it again.
     */
    private static String analyze(String url, String user, String password) throws Exception {
        try (var c = user == null
                        ? DriverManager.getConnection(url)
                        : DriverManager.getConnection(url, user, password);
                var s = c.createStatement()) {
            s.execute("analyze subjects, identifiers, subject_keys, sessions, events, personal_values, daily_counts");
            try (var rs = s.executeQuery("show autovacuum")) {
                rs.next();
                return "PostgreSQL: tables analyzed after the warm-up; autovacuum is " + rs.getString(1)
                        + ("off".equals(rs.getString(1))
                                ? " (no later analyze or vacuum: dead row versions of updated sessions and subjects pile up)"
                                : "");
            }
        }
    }

    /** COPY of rows shaped like what one tracked event writes: an event row and three value rows. */
    private static double copyRate(String url, String user, String password, int count) throws Exception {
        try (var c =
                user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password)) {
            try (var s = c.createStatement()) {
                s.execute("create temporary table bench_events (like events including defaults)");
                s.execute(
                        "create temporary table bench_values (like personal_values including defaults including identity)");
            }
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            String now = Instant.now().toString();
            var events = new StringBuilder();
            var values = new StringBuilder();
            String ciphertext = "\\\\x" + "ab".repeat(70);
            String account = new UUID(0, 1).toString();
            for (int i = 0; i < count; i++) {
                String event = new UUID(1, i).toString();
                String subject = new UUID(2, i % 2000).toString();
                events.append(String.join(
                                "\t",
                                account,
                                now,
                                event,
                                subject,
                                new UUID(3, i % 2000).toString(),
                                "page_view",
                                now,
                                "event",
                                now))
                        .append('\n');
                for (String category : List.of("ip_address", "visit_history", "interests")) {
                    values.append(String.join(
                                    "\t",
                                    account,
                                    category,
                                    now,
                                    new UUID(4, i * 3L + category.length()).toString(),
                                    subject,
                                    "context.x",
                                    "event",
                                    event,
                                    ciphertext,
                                    new UUID(5, i % 2000).toString(),
                                    "event",
                                    now))
                            .append('\n');
                }
            }
            long start = System.nanoTime();
            copy.copyIn(
                    "copy bench_events (account_id, occurred_at, event_id, subject_id, session_id, type, received_at,"
                            + " rule_kind, anchor_at) from stdin",
                    new StringReader(events.toString()));
            copy.copyIn(
                    "copy bench_values (account_id, category, collected_at, value_id, subject_id, field, record_kind,"
                            + " record_id, ciphertext, key_id, rule_kind, anchor_at) from stdin",
                    new StringReader(values.toString()));
            double rate = count / ((System.nanoTime() - start) / 1e9);
            try (var s = c.createStatement()) {
                s.execute("drop table bench_events");
                s.execute("drop table bench_values");
            }
            return rate;
        }
    }

    private double sealRate() throws Exception {
        AeadConfig.register();
        Aead aead = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
        byte[] value = "zebulon@example.org-203.0.113.77-abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] context = "lethe/value/v1|acc|sub|category".getBytes(StandardCharsets.UTF_8);
        var rates = new ArrayList<Double>();
        for (int r = 0; r < Math.max(3, rounds); r++) {
            int n = 200_000;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) aead.encrypt(value, context);
            rates.add(n / ((System.nanoTime() - start) / 1e9));
        }
        return median(rates);
    }

    private double prfRate() throws Exception {
        PrfConfig.register();
        PrfSet prf = KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF)
                .getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        byte[] input = "visitorId\u0000r1-v1234".getBytes(StandardCharsets.UTF_8);
        var rates = new ArrayList<Double>();
        for (int r = 0; r < Math.max(3, rounds); r++) {
            int n = 200_000;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) prf.computePrimary(input, 32);
            rates.add(n / ((System.nanoTime() - start) / 1e9));
        }
        return median(rates);
    }

    /** A new account: its id and admin key. */
    private static String[] createAccount(HttpClient client, String base, String operatorKey) throws Exception {
        var r = client.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/accounts"))
                        .header("Authorization", "Bearer " + operatorKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Benchmark\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var m = Pattern.compile("\"adminKey\":\"([^\"]+)\"").matcher(r.body());
        var id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(r.body());
        if (!m.find() || !id.find())
            throw new IllegalStateException("could not create the benchmark account: " + r.body());
        return new String[] {id.group(1), m.group(1)};
    }

    /** The id of the account an admin key belongs to. */
    private static String accountId(HttpClient client, String base, String key) throws Exception {
        var r = client.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/account"))
                        .header("Authorization", "Bearer " + key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(r.body());
        if (!m.find()) throw new IllegalStateException("could not read the benchmark account: " + r.body());
        return m.group(1);
    }

    private static void put(HttpClient client, String url, String key, String yaml) throws Exception {
        var r = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/yaml")
                        .PUT(HttpRequest.BodyPublishers.ofString(yaml))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("policy refused: " + r.body());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BenchCommand.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static double median(List<Double> values) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format("%.0f", v)).toList().toString();
    }
}
