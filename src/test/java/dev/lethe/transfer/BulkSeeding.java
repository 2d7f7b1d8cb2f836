package dev.lethe.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.profiles.IdentifyRequest;
import dev.lethe.subjects.IdentifierKind;
import dev.lethe.testing.Http;
import dev.lethe.testing.TestLethe;
import dev.lethe.values.Sensitive;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/** What the bulk deletion tests share: many people made quickly, and waiting for a job. */
final class BulkSeeding {

    private BulkSeeding() {}

    /** The domain of every seeded email: a scan of raw storage or logs for it finds any one of them. */
    static final String DOMAIN = "bulk-zebulon.example";

    static String email(int i) {
        return "person" + i + "@" + DOMAIN;
    }

    static Caller admin(TestLethe.Tenant tenant) {
        return new Caller(tenant.id(), TestLethe.keyIdOf(tenant.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
    }

    /** People 0..n-1, each with an email and a name, identified in-process on a few threads; their profile ids. */
    static Map<Integer, String> people(TestLethe lethe, TestLethe.Tenant tenant, int from, int n) throws Exception {
        var caller = admin(tenant);
        var identification = lethe.lethe().profiles().identification();
        var ids = new ConcurrentHashMap<Integer, String>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            var futures = IntStream.range(from, from + n)
                    .mapToObj(i -> pool.submit(() -> ids.put(
                            i,
                            identification
                                    .identify(
                                            caller,
                                            new IdentifyRequest(
                                                    "bulk-visitor-" + i,
                                                    null,
                                                    Map.of(IdentifierKind.EMAIL, new Sensitive(email(i))),
                                                    Map.of("name", new Sensitive("Zebulon Bulk " + i)),
                                                    Instant.parse("2026-01-10T00:00:00Z")))
                                    .profileId())))
                    .toList();
            for (var f : futures) f.get();
        }
        assertThat(ids).hasSize(n);
        return ids;
    }

    /**
     * People 0..n-1, each with an email and a name, made by an import through the API (create
     * rows go in batches: thousands a second); answers the profile ids of the people asked for.
     */
    static Map<Integer, String> imported(TestLethe lethe, TestLethe.Tenant tenant, int n, List<Integer> wanted)
            throws InterruptedException {
        var http = lethe.http();
        var csv = new StringBuilder("email,traits.name\n");
        for (int i = 0; i < n; i++)
            csv.append(email(i)).append(",Zebulon Bulk ").append(i).append('\n');
        var upload = http.postAs("/v1/imports", tenant.adminKey(), "text/csv", csv.toString());
        assertThat(upload.status()).as(upload.toString()).isEqualTo(202);
        String job = upload.json().get("id").asText();
        var staged = waitFor(
                http,
                tenant.adminKey(),
                job,
                j -> !j.get("state").asText().equals("previewing")
                        && !j.get("state").asText().equals("uploading"),
                300);
        assertThat(staged.get("state").asText()).as(staged.toString()).isEqualTo("staged");
        var commit = http.post("/v1/imports/" + job + "/commit", tenant.adminKey(), "{}");
        assertThat(commit.status()).as(commit.toString()).isEqualTo(202);
        var done = ended(http, tenant.adminKey(), job, 300);
        assertThat(done.get("result").get("created").asLong())
                .as(done.toString())
                .isEqualTo(n);
        var ids = new java.util.HashMap<Integer, String>();
        for (int i : wanted) {
            var found = http.get("/v1/profiles?email=" + email(i), tenant.adminKey())
                    .json()
                    .get("profiles");
            assertThat(found).hasSize(1);
            ids.put(i, found.get(0).get("id").asText());
        }
        return ids;
    }

    /** Polls the job until the condition holds (30 s at most, or {@code seconds}). */
    static JsonNode waitFor(Http http, String key, String jobId, Predicate<JsonNode> condition, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            var job = http.get("/v1/jobs/" + jobId, key);
            if (job.status() == 200 && condition.test(job.json())) return job.json();
            assertThat(System.nanoTime())
                    .as("waiting for job " + jobId + ": " + job)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static JsonNode ended(Http http, String key, String jobId, int seconds) throws InterruptedException {
        return waitFor(
                http,
                key,
                jobId,
                j -> List.of("completed", "failed", "cancelled")
                        .contains(j.get("state").asText()),
                seconds);
    }

    /** A CSV of these people's emails, in the given order. */
    static String csv(List<Integer> people) {
        var out = new StringBuilder("email\r\n");
        for (int i : people) out.append(email(i)).append("\r\n");
        return out.toString();
    }
}
