package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 4: being fail-closed does not make one account's writes queue behind one row. Writing an
 * entry takes no lock the account's other writers wait for, and every entry still gets its place:
 * one chain, no gaps, verified intact.
 */
class ConcurrentAuditTest {

    static final int CLIENTS = 8;
    static final int BATCHES = 10;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void writesOfOneAccountGoOnWhileAnotherTransactionHoldsItsEntryAndAllAreChainedWithoutGaps(TestDatabase engine)
            throws Exception {
        try (var lethe = new TestLethe(engine);
                var pool = Executors.newFixedThreadPool(CLIENTS + 1)) {
            var a = lethe.createAccount("Quokka");
            assertThat(lethe.http()
                            .putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .status())
                    .isEqualTo(201);
            var audit = lethe.lethe().audit();
            var jdbi = lethe.lethe().database().jdbi();
            var othersDone = new CountDownLatch(1);
            var holding = new CountDownLatch(1);
            // A transaction that has written its entry and stays open until the others are done
            // (at most 30 s): with a chain head taken at write time, they would wait for it.
            Future<Boolean> slow = pool.submit(() -> jdbi.inTransaction(h -> {
                audit.append(h, AuditEvent.ok(a.id(), Actor.SYSTEM, "test.slow", List.of(), Map.of()));
                holding.countDown();
                return othersDone.await(30, TimeUnit.SECONDS);
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            var clients = new ArrayList<CompletableFuture<List<Integer>>>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(CompletableFuture.supplyAsync(
                        () -> {
                            var statuses = new ArrayList<Integer>();
                            for (int b = 0; b < BATCHES; b++) {
                                String body = "{\"events\": [{\"visitorId\": \"v-%d-%d\", \"type\": \"page_view\"}]}"
                                        .formatted(client, b);
                                statuses.add(lethe.http()
                                        .post("/v1/track", a.adminKey(), body)
                                        .status());
                            }
                            return statuses;
                        },
                        pool));
            }
            var statuses = new ArrayList<Integer>();
            for (var c : clients) statuses.addAll(c.get(60, TimeUnit.SECONDS));
            othersDone.countDown();

            assertThat(slow.get(60, TimeUnit.SECONDS))
                    .as("the other writes finished while the first transaction was still open")
                    .isTrue();
            assertThat(statuses).hasSize(CLIENTS * BATCHES).containsOnly(202);
            var v = lethe.verifyAudit(a.adminKey());
            // account.create, policy.change, the slow entry, and one entry per batch
            long expected = 3 + CLIENTS * BATCHES;
            assertThat(v.get("intact").asBoolean()).as(v.toString()).isTrue();
            assertThat(v.get("entries").asLong()).isEqualTo(expected);
            assertThat(v.get("pending").asLong()).isZero();
            assertThat(v.at("/head/seq").asLong()).isEqualTo(expected);
            assertThat(lethe.strings("select seq from audit_log where account_id = ? order by seq", a.id()))
                    .map(Long::parseLong)
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, expected).boxed().toList());
            assertThat(lethe.count(
                            "select count(*) from audit_log where account_id = ? and action = 'activity.track'",
                            a.id()))
                    .isEqualTo(CLIENTS * BATCHES);
        }
    }
}
