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
