package dev.lethe.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.Http;
import dev.lethe.testing.Installation;
import dev.lethe.testing.ServerProcess;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN promise 10: a 2xx means committed, so a kill -9 right after it loses nothing. The real
 * server runs as a process of its own; several clients send track batches over HTTP and the
 * process is killed with SIGKILL while batches are in flight. After a restart on the same data
 * directory and database, every event of every batch that was answered 202 is there, each such
 * batch has its audit entry, and the audit chain is intact.
 *
 * <p>Each batch has a size of its own (batch n holds {@code FIRST_SIZE + n} events) and each event
 * a type of its own, so a batch is found again both by its events and by its audit entry, which
 * records the number of events it accepted.
 */
class AcknowledgedWritesSurviveKillTest {

    private static final int CLIENTS = 4;
    private static final int KILL_AFTER_ACKNOWLEDGED = 80;
    private static final int MAX_BATCHES = 300;
    private static final int FIRST_SIZE = 5;

    /** A batch the server answered 202, with the event types it held. */
    private record Batch(int number, List<String> types) {}

    /** What the clients saw: batches answered 202, other answers, calls that got no answer. */
    private record Load(List<Batch> acknowledged, List<String> otherAnswers, int unanswered) {}

    /** What a restarted server shows: its audit verification and track entries, and the stored event types. */
    private record AfterRestart(JsonNode verification, List<JsonNode> trackEntries, Set<String> storedTypes) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyEventOfEveryAcceptedBatchIsStoredAfterAKillNineAndARestart(TestDatabase engine) throws Exception {
        try (var installation = Installation.on(engine)) {
            String adminKey;
            Load load;
            try (var server = installation.start()) {
                adminKey = createAccountWithPolicy(server.http());
                load = trackUntilKilled(server, adminKey);
            }
            assertThat(load.otherAnswers())
                    .as("answers other than 202 before the kill")
                    .isEmpty();
            assertThat(load.acknowledged()).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKNOWLEDGED);

            var after = restart(installation, adminKey);

            var softly = new SoftAssertions();
            softly.assertThat(lostEvents(load, after.storedTypes()))
                    .as(
                            "batches answered 202 whose events are not all stored after kill -9 (%d batches, %d events"
                                    + " answered 202; %d event rows stored; %d calls unanswered)",
                            load.acknowledged().size(),
                            load.acknowledged().stream()
                                    .mapToInt(b -> b.types().size())
                                    .sum(),
                            after.storedTypes().size(),
                            load.unanswered())
                    .isEmpty();
            softly.assertThat(unaudited(load, after.trackEntries()))
                    .as("batches answered 202 without their activity.track audit entry after kill -9")
                    .isEmpty();
            softly.assertThat(after.verification().get("intact").asBoolean())
                    .as("audit verification: %s", after.verification())
                    .isTrue();
            softly.assertAll();
        }
    }

    /** Starts the server again, reads what it answers, stops it and reads the raw events. */
    private static AfterRestart restart(Installation installation, String adminKey) {
        JsonNode verification;
        List<JsonNode> trackEntries;
        try (var server = installation.start()) {
            verification = ok(server.http().get("/v1/audit/verify", adminKey));
            trackEntries = auditEntries(server.http(), adminKey, "activity.track");
            server.stop(); // the embedded H2 file can be read only once no server holds it
        }
        return new AfterRestart(
                verification, trackEntries, new HashSet<>(installation.strings("select type from events")));
    }

    /** For each acknowledged batch with events missing: which batch, and how many of its events. */
    private static List<String> lostEvents(Load load, Set<String> storedTypes) {
        var lost = new ArrayList<String>();
        for (var batch : load.acknowledged()) {
            long missing =
                    batch.types().stream().filter(t -> !storedTypes.contains(t)).count();
            if (missing > 0) {
                lost.add("batch %d: %d of %d events"
                        .formatted(batch.number(), missing, batch.types().size()));
            }
        }
        return lost;
    }

    /** The acknowledged batches that no activity.track entry accounts for (sizes are unique per batch). */
    private static List<Integer> unaudited(Load load, List<JsonNode> trackEntries) {
        var auditedSizes = trackEntries.stream()
                .map(e -> e.get("detail").get("accepted").asInt())
                .collect(Collectors.toSet());
        return load.acknowledged().stream()
                .filter(b -> !auditedSizes.contains(b.types().size()))
                .map(Batch::number)
                .sorted()
                .toList();
    }

    private static String createAccountWithPolicy(Http http) {
        var account = http.post("/v1/accounts", ServerProcess.OPERATOR_KEY, "{\"name\":\"Quokka\"}");
        assertThat(account.status()).as("%s", account).isEqualTo(201);
        String adminKey = account.json().get("adminKey").asText();
        var policy = http.putYaml("/v1/policy", adminKey, TestPolicies.DATA_CORE);
        assertThat(policy.status()).as("%s", policy).isBetween(200, 201);
        return adminKey;
    }

    /**
     * Several clients send batches until the server dies: the client whose batch is the
     * {@link #KILL_AFTER_ACKNOWLEDGED}th to be answered 202 kills it with SIGKILL while the others
     * are mid-call.
     */
    private static Load trackUntilKilled(ServerProcess server, String adminKey) throws Exception {
        var acknowledged = new ConcurrentLinkedQueue<Batch>();
        var otherAnswers = new ConcurrentLinkedQueue<String>();
        var unanswered = new AtomicInteger();
        var next = new AtomicInteger();
        var killed = new AtomicBoolean();
        try (var pool = Executors.newFixedThreadPool(CLIENTS)) {
            var clients = new ArrayList<Future<?>>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < MAX_BATCHES; ) {
                        var types = typesOf(n);
                        Http.Response answer;
                        try {
                            answer = server.http().post("/v1/track", adminKey, body(n, types));
                        } catch (IllegalStateException noAnswer) {
                            unanswered.incrementAndGet();
                            return;
                        }
                        if (answer.status() != 202
                                || answer.json().get("accepted").asInt() != types.size()) {
                            otherAnswers.add(answer.toString());
                            continue;
                        }
                        acknowledged.add(new Batch(n, types));
                        if (acknowledged.size() >= KILL_AFTER_ACKNOWLEDGED && killed.compareAndSet(false, true)) {
                            server.kill();
                        }
                    }
                }));
            }
            for (var client : clients) client.get();
        }
        assertThat(killed).as("the server was killed during the load").isTrue();
        return new Load(List.copyOf(acknowledged), List.copyOf(otherAnswers), unanswered.get());
    }

    private static List<String> typesOf(int batch) {
        var types = new ArrayList<String>();
        for (int e = 0; e < FIRST_SIZE + batch; e++) types.add("durable.b%03d.e%03d".formatted(batch, e));
        return types;
    }

    private static String body(int batch, List<String> types) {
        var body = new StringBuilder("{\"events\":[");
        for (int e = 0; e < types.size(); e++) {
            if (e > 0) body.append(',');
            body.append("{\"visitorId\":\"durable-v")
                    .append(batch)
                    .append('-')
                    .append(e % 3)
                    .append("\",\"type\":\"")
                    .append(types.get(e))
                    .append("\",\"context\":{\"ip\":\"203.0.113.")
                    .append(e % 250)
                    .append("\"}}");
        }
        return body.append("]}").toString();
    }

    /** Every entry of one action in the account's chain, paging through GET /v1/audit. */
    private static List<JsonNode> auditEntries(Http http, String adminKey, String action) {
        var out = new ArrayList<JsonNode>();
        String cursor = "";
        while (true) {
            var page = ok(http.get("/v1/audit?action=" + action + "&limit=1000" + cursor, adminKey));
            page.get("entries").forEach(out::add);
            if (page.get("nextCursor").isNull()) return out;
            cursor = "&cursor=" + page.get("nextCursor").asText();
        }
    }

    private static JsonNode ok(Http.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }
}
