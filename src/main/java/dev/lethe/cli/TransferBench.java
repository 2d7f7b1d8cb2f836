package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.storage.DatabaseSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * The transfer part of {@code lethe bench}: an import of an N-row CSV (upload, preview, commit),
 * an export of the N profiles it made (run, download), and a bulk deletion of M of them, each timed
 * with the heap's peak use sampled while it runs; beside PostgreSQL {@code COPY} of the same rows
 * in and out, in the same run. Run it with the heap capped ({@code JAVA_TOOL_OPTIONS=-Xmx512m}) to
 * show that memory does not grow with the file.
 */
final class TransferBench {

    /** How often the heap's use is sampled while a phase runs. */
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(20);

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String admin;
    private final DatabaseSettings database;
    private final PrintWriter out;
    private final Path dir;

    TransferBench(String base, String admin, DatabaseSettings database, PrintWriter out, Path dir) {
        this.base = base;
        this.admin = admin;
        this.database = database;
        this.out = out;
        this.dir = dir;
    }

    /**
     * Runs the workload: {@code exportRounds} rounds of each export (none: the import alone); with
     * {@code forgetKeys}, each round also exports the opened values after calling it (the key cache
     * emptied, as at a server's start).
     */
    void run(int rows, int deletions, int exportRounds, Runnable forgetKeys) throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        out.printf(
                "transfer workload: %,d profiles (email + name) imported, exported, %,d deleted; heap limit %d MB%n",
                rows, deletions, maxHeap >> 20);
        Path csv = dir.resolve("import.csv");
        long bytes = writeImport(csv, rows);
        out.printf("import file: %,d rows, %.1f MB%n", rows, bytes / 1e6);

        // the physical limit, in the same run: COPY of the same rows in and out of a plain table
        if (database.url().startsWith("jdbc:postgresql:")) copyBaseline(csv, rows);
        else out.println("PostgreSQL COPY: not measured (the database is not PostgreSQL)");

        // import: upload, preview, commit
        var sampler = new Sampler();
        long t0 = System.nanoTime();
        var created = json(send(HttpRequest.newBuilder(URI.create(base + "/v1/imports?mode=ignore-empty"))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(csv))
                .build()));
        String importId = created.path("id").asText();
        long uploaded = System.nanoTime();
        var staged = follow(importId, "staged");
        long previewed = System.nanoTime();
        // the preview's rows, for the database floor below (the commit deletes them); the time
        // this takes is left out of the import's
        List<ImportFloor.Shape> previewRows = List.of();
        if (database.url().startsWith("jdbc:postgresql:"))
            try (var c = connect()) {
                previewRows = ImportFloor.previewShapes(c, importId);
            }
        long paused = System.nanoTime() - previewed;
        json(post("/v1/imports/" + importId + "/commit", "{}"));
        var done = follow(importId, "completed");
        long committed = System.nanoTime() - paused;
        long importPeak = sampler.stop();
        out.printf(
                "import of %,d rows: upload %.1f s, preview %.1f s, commit %.1f s; total %.1f s = %,.0f rows/s;"
                        + " heap peak %d MB%n",
                rows,
                secs(uploaded - t0),
                secs(previewed - uploaded),
                secs(committed - previewed),
                secs(committed - t0),
                rows / secs(committed - t0),
                importPeak >> 20);
        out.printf("  preview: %s; result: %s%n", staged.path("result"), done.path("result"));
        // the statistics autovacuum would gather after a table grew this much (it may be off on a
        // benchmark's server): planned on the warm-up's few rows, a page of the export's list is
        // a scan of every profile
        if (database.url().startsWith("jdbc:postgresql:")) analyzeAfterImport();
        // the import's own rows written again by the database alone, beside the import's times
        if (database.url().startsWith("jdbc:postgresql:")) {
            var started = java.time.Instant.now().minusNanos(System.nanoTime() - t0);
            try (var c = connect()) {
                new ImportFloor(c, out)
                        .run(
                                importId,
                                previewRows,
                                started,
                                java.time.Instant.now(),
                                secs(previewed - uploaded),
                                secs(committed - previewed));
            }
        } else out.println("database floor: not measured (the database is not PostgreSQL)");

        // export of every profile, then its download: the default columns (no values to open),
        // then an identifier and a trait (each person's values opened with their key)
        // (each at least twice: the first run also warms the code up); cold: every person's key
        // unwrapped again, as after a restart (the import left them all in the cache)
        String values = "{\"kind\": \"profiles\", \"columns\": [\"id\", \"identifiers.email\", \"traits.name\"]}";
        for (int round = 1; round <= exportRounds; round++) {
            export(rows, "default columns, run " + round, "{\"kind\": \"profiles\"}");
            export(rows, "id, identifiers.email, traits.name, run " + round, values);
            if (forgetKeys != null) {
                forgetKeys.run();
                export(rows, "id, identifiers.email, traits.name, keys cold, run " + round, values);
            }
        }

        // bulk deletion of the first M people
        if (deletions > 0) {
            Path ids = dir.resolve("delete.csv");
            try (BufferedWriter w = Files.newBufferedWriter(ids, StandardCharsets.UTF_8)) {
                w.write("email\n");
                for (int i = 0; i < deletions; i++) w.write(email(i) + "\n");
            }
            sampler = new Sampler();
            t0 = System.nanoTime();
            var bulk = json(send(HttpRequest.newBuilder(URI.create(base + "/v1/bulk-deletions"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofFile(ids))
                    .build()));
            var deleted = follow(bulk.path("id").asText(), "completed");
            long end = System.nanoTime();
            long deletePeak = sampler.stop();
            out.printf(
                    "bulk deletion of %,d people: %.1f s = %,.0f people/s; heap peak %d MB; result %s%n",
                    deletions, secs(end - t0), deletions / secs(end - t0), deletePeak >> 20, deleted.path("result"));
        }
        out.printf("process peak resident memory (VmHWM): %s%n", peakResident());
        Files.deleteIfExists(csv);
    }

    /** One export of every profile (run, link, download), timed with the heap's peak. */
    private void export(int rows, String what, String body) throws Exception {
        var sampler = new Sampler();
        long t0 = System.nanoTime();
        var export = json(post("/v1/exports", body));
        String exportId = export.path("id").asText();
        var job = follow(exportId, "completed");
        long ran = System.nanoTime();
        // the job's own run, from the server's start to its finish (no queueing, no polling)
        double inJob = job.hasNonNull("startedAt") && job.hasNonNull("finishedAt")
                ? Duration.between(
                                        java.time.Instant.parse(
                                                job.get("startedAt").asText()),
                                        java.time.Instant.parse(
                                                job.get("finishedAt").asText()))
                                .toNanos()
                        / 1e9
                : Double.NaN;
        Path file = dir.resolve("export.csv");
        String link =
                json(get("/v1/exports/" + exportId + "/link")).path("download").asText();
        var download = client.send(
                HttpRequest.newBuilder(URI.create(base + link))
                        .header("Authorization", "Bearer " + admin)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofFile(file));
        if (download.statusCode() != 200) throw new IllegalStateException("download answered " + download.statusCode());
        long downloaded = System.nanoTime();
        long exportPeak = sampler.stop();
        long lines;
        try (var l = Files.lines(file)) {
            lines = l.count();
        }
        out.printf(
                "export of %,d profiles (%s): run %.1f s = %,.0f rows/s (in the job %.2f s = %,.0f rows/s),"
                        + " download %.1f s; total %.1f s = %,.0f rows/s; %,d lines, %.1f MB; heap peak %d MB%n",
                rows,
                what,
                secs(ran - t0),
                rows / secs(ran - t0),
                inJob,
                rows / inJob,
                secs(downloaded - ran),
                secs(downloaded - t0),
                rows / secs(downloaded - t0),
                lines,
                Files.size(file) / 1e6,
                exportPeak >> 20);
        Files.deleteIfExists(file);
    }

    private static String email(int i) {
        return "bench-import-" + i + "@example.org";
    }

    private static long writeImport(Path csv, int rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("email,traits.name\n");
            for (int i = 0; i < rows; i++) {
                w.write(email(i));
                w.write(",Person ");
                w.write(Integer.toString(i));
                w.write('\n');
            }
        }
        return Files.size(csv);
    }

    /** COPY of the same rows into a plain table and back out: what the disk and the server allow. */
    private void copyBaseline(Path csv, int rows) throws Exception {
        try (var c = connect()) {
            try (var s = c.createStatement()) {
                s.execute("drop table if exists bench_copy");
                s.execute("create table bench_copy (email text not null, name text not null)");
            }
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            long t0 = System.nanoTime();
            try (InputStream in = Files.newInputStream(csv)) {
                copy.copyIn("copy bench_copy from stdin with (format csv, header true)", in);
            }
            long in = System.nanoTime();
            var sink = new java.io.OutputStream() {
                long bytes;

                @Override
                public void write(int b) {
                    bytes++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes += len;
                }
            };
            copy.copyOut("copy bench_copy to stdout with (format csv, header true)", sink);
            long outDone = System.nanoTime();
            out.printf(
                    "PostgreSQL COPY of the same %,d rows: in %.2f s = %,.0f rows/s; out %.2f s = %,.0f rows/s%n",
                    rows, secs(in - t0), rows / secs(in - t0), secs(outDone - in), rows / secs(outDone - in));
            try (var s = c.createStatement()) {
                s.execute("drop table bench_copy");
            }
        }
    }

    private void analyzeAfterImport() throws Exception {
        try (var c = connect();
                var s = c.createStatement()) {
            s.execute("analyze subjects, subject_keys, identifiers, personal_values, requests");
        }
        out.println("PostgreSQL: tables analyzed after the import");
    }

    private java.sql.Connection connect() throws java.sql.SQLException {
        return database.user() == null
                ? DriverManager.getConnection(database.url())
                : DriverManager.getConnection(database.url(), database.user(), database.password());
    }

    /** Polls the job until it reaches {@code state}; fails when it stops elsewhere. */
    private JsonNode follow(String id, String state) throws Exception {
        while (true) {
            var job = json(get("/v1/jobs/" + id));
            String now = job.path("state").asText();
            if (now.equals(state)) return job;
            if (JobWatch.STILL.contains(now))
                throw new IllegalStateException("job " + id + " ended " + now + ": "
                        + job.path("failure").asText());
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + admin)
                .GET()
                .build());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        var r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300)
            throw new IllegalStateException(request.uri().getPath() + " answered " + r.statusCode() + ": " + r.body());
        return r;
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Remote.JSON.readTree(r.body());
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static String peakResident() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> l.substring(6).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Samples the heap's use on a thread of its own until stopped; answers the highest seen. */
    private static final class Sampler {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        Sampler() {
            var memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            thread = Thread.ofPlatform().daemon().name("bench-heap-sampler").start(() -> {
                while (running) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long stop() throws InterruptedException {
            running = false;
            thread.join();
            return peak.get();
        }
    }
}
