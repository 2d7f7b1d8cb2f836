package dev.lethe.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lethe.subjects.SubjectTable;
import dev.lethe.testing.RawStorage;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * DESIGN promise 2 end to end: an erased person leaves nothing readable anywhere — no row that
 * refers to them in any table the schema has (except the erasure's own record, the legal hold, and
 * the held category's values), none of their values in any cell or the server's log — the receipt
 * names every table with its count and the held category with its reason, the anonymous daily
 * counts stay, erasing again answers the same receipt, and a retried batch does not revive them.
 */
class ErasureApiTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anErasedPersonLeavesNothingButTheHeldCategoryAndStaysErased(TestDatabase engine) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var appender = new ListAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
        Level level = root.getLevel();
        root.setLevel(Level.DEBUG);
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            String key = Erasing.account(lethe, a);
            var http = lethe.http();
            String ingest = lethe.createKey(key, "ingest").key();
            String zebulon = Erasing.person(http, key, "laptop-zebulon", Erasing.EMAIL, Erasing.PHONE, Erasing.NAME);
            String yolanda =
                    Erasing.person(http, key, "phone-yolanda", "yolanda@example.org", "+32 471 11 22 33", "Yolanda Q");
            var hold = http.post("/v1/legal-holds", key, """
                    {"category": "phone_number", "reason": "Invoice 2026-117 unpaid"}
                    """);
            assertThat(hold.status()).as(hold.toString()).isEqualTo(201);
            String holdId = hold.json().get("id").asText();
            lethe.lethe().statisticsRollUp().rollUpAll();
            String statistics = http.get("/v1/statistics", key).json().toString();
            var before = rowsOf(lethe, a.id(), zebulon);
            long yolandaRows = rowsOf(lethe, a.id(), yolanda).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();

            var erased = http.delete("/v1/profiles/" + zebulon, key);

            assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
            var receipt = erased.json();
            assertThat(receipt.get("state").asText()).isEqualTo("purged");
            assertThat(receipt.get("profileId").asText()).isEqualTo(zebulon);
            var counts = new HashMap<String, Integer>();
            receipt.get("tables")
                    .forEach(t ->
                            counts.put(t.get("table").asText(), t.get("rows").asInt()));
            // every table the registry lists, with the rows the person had there
            assertThat(counts.keySet())
                    .containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(SubjectTable.values())
                            .map(SubjectTable::table)
                            .toList());
            for (var table : SubjectTable.values()) {
                long expected = switch (table) {
                    case ERASURES -> 1;
                    case PERSONAL_VALUES -> before.get(table) - 1; // the phone number is held
                    default -> before.get(table);
                };
                assertThat(counts.get(table.table())).as(table.table()).isEqualTo((int) expected);
            }
            for (var table : List.of(
                    SubjectTable.IDENTIFIERS,
                    SubjectTable.PERSONAL_VALUES,
                    SubjectTable.EVENTS,
                    SubjectTable.SESSIONS,
                    SubjectTable.MESSAGES,
                    SubjectTable.CONVERSATIONS,
                    SubjectTable.GOAL_HITS,
                    SubjectTable.FIELD_VALUES,
                    SubjectTable.PROFILE_TAGS,
                    SubjectTable.SUBJECT_KEYS,
                    SubjectTable.SUBJECTS))
                assertThat(counts.get(table.table())).as(table.table()).isPositive();
            var held = receipt.get("held");
            assertThat(held).hasSize(1);
            assertThat(held.get(0).get("category").asText()).isEqualTo("phone_number");
            assertThat(held.get(0).get("holdId").asText()).isEqualTo(holdId);
            assertThat(held.get(0).get("reason").asText()).isEqualTo("Invoice 2026-117 unpaid");
            assertThat(held.get(0).get("values").asInt()).isEqualTo(1);

            // nothing of the person in any table the schema has, but the held value and the records
            for (var entry : RawStorage.columns(lethe.jdbcUrl()).entrySet()) {
                if (!entry.getValue().contains("subject_id")) continue;
                long rows = lethe.count(
                        "select count(*) from " + entry.getKey() + " where account_id = ? and subject_id = ?",
                        a.id(),
                        zebulon);
                long kept = switch (entry.getKey()) {
                    case "erasures", "legal_holds" -> rows;
                    case "personal_values" -> 1;
                    default -> 0;
                };
                assertThat(rows).as(entry.getKey()).isEqualTo(kept);
            }
            assertThat(lethe.strings(
                            "select category from personal_values where account_id = ? and subject_id = ?",
                            a.id(),
                            zebulon))
                    .containsExactly("phone_number");
            for (var cell : RawStorage.cells(lethe.jdbcUrl()))
                for (String value : Erasing.VALUES)
                    assertThat(cell.text())
                            .as(cell.table() + "." + cell.column())
                            .doesNotContain(value);
            for (var event : appender.list)
                for (String value : Erasing.VALUES)
                    assertThat(event.getFormattedMessage() + " " + java.util.Arrays.toString(event.getArgumentArray()))
                            .doesNotContain(value);
            // the other person is untouched, the counts too
            assertThat(rowsOf(lethe, a.id(), yolanda).values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isEqualTo(yolandaRows);
            lethe.lethe().statisticsRollUp().rollUpAll();
            assertThat(http.get("/v1/statistics", key).json().toString()).isEqualTo(statistics);

            // the receipt reads back, and erasing again answers it again
            String erasureId = receipt.get("erasureId").asText();
            var read = http.get("/v1/erasures/" + erasureId, key);
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(read.json()).isEqualTo(receipt);
            var again = http.delete("/v1/profiles/" + zebulon, key);
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.json()).isEqualTo(receipt);

            // a retried SDK batch and identify do not bring the person back
            long subjects = lethe.count("select count(*) from subjects where account_id = ?", a.id());
            var retried = http.post("/v1/track", ingest, Erasing.visit("laptop-zebulon", Erasing.IP));
            assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
            assertThat(retried.json().get("accepted").asInt()).isZero();
            assertThat(retried.json().get("suppressed").asInt()).isEqualTo(2);
            var identified = http.post("/v1/identify", ingest, """
                    {"visitorId": "laptop-zebulon", "identifiers": {"email": "%s"}}
                    """.formatted(Erasing.EMAIL));
            assertThat(identified.status()).as(identified.toString()).isEqualTo(202);
            assertThat(http.post("/v1/identify", key, "{\"identifiers\": {\"email\": \"" + Erasing.EMAIL + "\"}}")
                            .status())
                    .isEqualTo(410);
            assertThat(lethe.count("select count(*) from subjects where account_id = ?", a.id()))
                    .isEqualTo(subjects);
            lethe.lethe().statisticsRollUp().rollUpAll();
            assertThat(http.get("/v1/statistics", key).json().toString()).isEqualTo(statistics);
            // the audit names ids only
            assertThat(lethe.strings("select action from audit_log where account_id = ?", a.id()))
                    .contains("erasure.erase", "erasure.purge");
        } finally {
            root.detachAppender(appender);
            root.setLevel(level);
            appender.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void underNewSubjectALateBatchStartsSomeoneNewUnlinkedToTheErasedPerson(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            String key = a.adminKey();
            var put = http.putYaml("/v1/policy", key, Erasing.POLICY + "ingest: { afterErasure: new_subject }\n");
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            var first = http.post("/v1/track", key, Erasing.visit("laptop-zebulon", Erasing.IP));
            assertThat(first.json().get("accepted").asInt()).isEqualTo(2);
            String visitor = lethe.strings("select subject_id from subjects where account_id = ?", a.id())
                    .get(0);
            assertThat(http.delete("/v1/profiles/" + visitor, key).status()).isEqualTo(200);

            var late = http.post("/v1/track", key, Erasing.visit("laptop-zebulon", Erasing.IP));

            assertThat(late.json().get("accepted").asInt()).as(late.toString()).isEqualTo(2);
            assertThat(late.json().get("suppressed").asInt()).isZero();
            var subjects = lethe.strings("select subject_id from subjects where account_id = ?", a.id());
            assertThat(subjects).hasSize(1).doesNotContain(visitor);
            assertThat(lethe.count(
                            "select count(*) from events where account_id = ? and subject_id = ?",
                            a.id(),
                            subjects.get(0)))
                    .isEqualTo(2);
        }
    }

    /** Rows of each registered table that refer to the subject, read raw. */
    static Map<SubjectTable, Long> rowsOf(TestLethe lethe, String accountId, String subjectId) {
        var out = new java.util.EnumMap<SubjectTable, Long>(SubjectTable.class);
        for (var table : SubjectTable.values()) {
            out.put(
                    table,
                    lethe.count(
                            "select count(*) from " + table.table() + " where account_id = ? and subject_id = ?",
                            accountId,
                            subjectId));
        }
        return out;
    }
}
