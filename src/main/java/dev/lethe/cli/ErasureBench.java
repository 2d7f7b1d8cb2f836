package dev.lethe.cli;

import dev.lethe.Lethe;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.subjects.SubjectTable;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The erasure part of {@code lethe bench}: the logical erasure (the one transaction that destroys a
 * person's keys, keeps held categories, records the erasure and its suppression entries) over many
 * people, p50 and p99; and the physical purge of a person with 1,000 events beside a plain
 * {@code DELETE} of the same rows of an identical person in the same run.
 */
final class ErasureBench {

    /** People erased before measuring. */
    private static final int WARM_UP = 30;

    private static final Pattern PROFILE = Pattern.compile("\"profileId\":\"([^\"]+)\"");

    private final Lethe lethe;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;
    private final String admin;
    private final Caller caller;
    private final PrintWriter out;

    ErasureBench(Lethe lethe, String base, String admin, String accountId, PrintWriter out) {
        this.lethe = lethe;
        this.base = base;
        this.admin = admin;
        this.caller = new Caller(accountId, "bench", Set.of(Scope.ADMIN), null);
        this.out = out;
    }

    /** After a warm-up, erases {@code people} people of 5 events each, then {@code rounds} people of 1,000 events each. */
    void run(int people, int rounds) throws Exception {
        // warm-up, not counted: the JIT and the connection pool, as for ingest
        for (int i = 0; i < WARM_UP; i++) erase(person("bench-warm-" + i, 5));
        var logical = new ArrayList<Double>();
        var purge = new ArrayList<Double>();
        var ids = new ArrayList<String>();
        for (int i = 0; i < people; i++) ids.add(person("bench-small-" + i, 5));
        for (String id : ids) {
            var t = erase(id);
            logical.add(t[0]);
            purge.add(t[1]);
        }
        out.printf(
                "logical erasure (shredding transaction), %d people of 5 events: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                people, percentile(logical, 50), percentile(logical, 99), percentile(logical, 100));
        out.printf(
                "  then journal (fsync) + purge of those people: p50 %.2f ms, p99 %.2f ms%n",
                percentile(purge, 50), percentile(purge, 99));
        var bigLogical = new ArrayList<Double>();
        var bigPurge = new ArrayList<Double>();
        var plain = new ArrayList<Double>();
        for (int r = 0; r < rounds; r++) {
            String erased = person("bench-big-a-" + r, 1000);
            String deleted = person("bench-big-b-" + r, 1000);
            var t = erase(erased);
            bigLogical.add(t[0]);
            bigPurge.add(t[1]);
            plain.add(plainDelete(deleted));
        }
        out.printf(
                "person with 1,000 events: logical erasure median %.2f ms (rounds %s); journal + purge median %.2f ms (rounds %s)%n",
                BenchCommand.median(bigLogical), format(bigLogical), BenchCommand.median(bigPurge), format(bigPurge));
        out.printf(
                "plain DELETE of the same rows of an identical person, one transaction: median %.2f ms (rounds %s)%n",
                BenchCommand.median(plain), format(plain));
    }

    /** Milliseconds of the shredding transaction (to its commit), then of the journal and purge after it. */
    private double[] erase(String profileId) {
        long[] committed = new long[1];
        long start = System.nanoTime();
        lethe.database().jdbi().inTransaction(h -> {
            // runs first among the commit's callbacks: before the erasure's journal and purge
            h.afterCommit(() -> committed[0] = System.nanoTime());
            return lethe.erasures().erase(h, caller, profileId, Optional.empty());
        });
        long end = System.nanoTime();
        return new double[] {(committed[0] - start) / 1e6, (end - committed[0]) / 1e6};
    }

    /** Milliseconds to delete every row of the person in every table, plainly, in one transaction. */
    private double plainDelete(String profileId) {
        long start = System.nanoTime();
        lethe.database().jdbi().useTransaction(h -> {
            for (var table : SubjectTable.values())
                h.createUpdate("delete from " + table.table() + " where account_id = :a and subject_id = :s")
                        .bind("a", caller.accountId())
                        .bind("s", profileId)
                        .execute();
        });
        return (System.nanoTime() - start) / 1e6;
    }

    /** A person with {@code events} tracked events (each with an IP address and a URL) and an email. */
    private String person(String visitor, int events) throws Exception {
        for (int sent = 0; sent < events; sent += 500) {
            var body = new StringBuilder("{\"events\": [");
            for (int i = sent; i < Math.min(events, sent + 500); i++) {
                if (i > sent) body.append(',');
                body.append("{\"visitorId\": \"")
                        .append(visitor)
                        .append("\", \"type\": \"page_view\", \"context\": {\"ip\": \"198.51.100.")
                        .append(i % 250)
                        .append("\", \"url\": \"https://shop.example/")
                        .append(i)
                        .append("\"}}");
            }
            post("/v1/track", body.append("]}").toString());
        }
        var identified = post(
                "/v1/identify",
                "{\"visitorId\": \"" + visitor + "\", \"identifiers\": {\"email\": \"" + visitor + "@example.org\"}}");
        var m = PROFILE.matcher(identified);
        if (!m.find()) throw new IllegalStateException("identify did not answer a profile: " + identified);
        return m.group(1);
    }

    private String post(String path, String json) throws Exception {
        var r = client.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " answered " + r.statusCode());
        return r.body();
    }

    static double percentile(List<Double> values, int p) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format("%.1f", v)).toList().toString();
    }
}
