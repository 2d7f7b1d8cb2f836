package dev.lethe.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Promise 4: the audit fails closed for ingest too. When the database refuses a batch's audit
 * entry, the batch answers an error and nothing of it is stored: no data without its entry.
 */
class AuditFailsClosedTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aTrackBatchWhoseAuditEntryCannotBeWrittenAnswers500AndStoresNothing(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            assertThat(lethe.http()
                            .putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE)
                            .status())
                    .isEqualTo(201);
            refuseEntries(lethe, a.id(), "activity.track");

            var events = new StringJoiner(",", "{\"events\": [", "]}");
            for (int i = 0; i < 10; i++) {
                events.add("{\"visitorId\": \"zebulon-laptop-" + i
                        + "\", \"type\": \"page_view\", \"context\": {\"ip\": \"203.0.113." + i
                        + "\", \"referrer\": \"https://zebulon.example/\"}}");
            }
            var r = lethe.http().post("/v1/track", a.adminKey(), events.toString());

            assertThat(r.status()).as(r.toString()).isEqualTo(500);
            assertThat(r.contentType()).startsWith("application/problem+json");
            for (String table : new String[] {"events", "sessions", "personal_values", "subjects"}) {
                assertThat(lethe.count("select count(*) from " + table + " where account_id = ?", a.id()))
                        .as(table)
                        .isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aMessageBatchWhoseAuditEntryCannotBeWrittenAnswers500AndStoresNothing(TestDatabase engine) throws IOException {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka Telecom");
            String policy = Files.readString(Path.of("examples/messaging-platform.yaml"));
            assertThat(lethe.http().putYaml("/v1/policy", a.adminKey(), policy).status())
                    .isEqualTo(201);
            refuseEntries(lethe, a.id(), "activity.messages");

            var r = lethe.http().post("/v1/messages", a.adminKey(), """
                    {"messages": [
                      {"subject": {"email": "zebulon@example.org"}, "channel": "email", "api": "smtp",
                       "direction": "outbound", "content": "Your zebulon order ships today"},
                      {"subject": {"phone": "+32471234567"}, "channel": "sms", "product": "cpaas",
                       "direction": "inbound", "content": "zebulon says hi"}
                    ]}
                    """);

            assertThat(r.status()).as(r.toString()).isEqualTo(500);
            for (String table : new String[] {"messages", "personal_values", "subjects", "identifiers"}) {
                assertThat(lethe.count("select count(*) from " + table + " where account_id = ?", a.id()))
                        .as(table)
                        .isZero();
            }
        }
    }

    /** From now on the database refuses the account's audit entries of this action. */
    static void refuseEntries(TestLethe lethe, String accountId, String action) {
        TestDatabase.execute(
                lethe.jdbcUrl(),
                "alter table audit_log add constraint refuse_" + action.replace('.', '_') + " check (account_id <> '"
                        + accountId + "' or action <> '" + action + "')");
    }
}
