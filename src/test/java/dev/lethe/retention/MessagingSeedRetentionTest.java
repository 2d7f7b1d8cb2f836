package dev.lethe.retention;

import static dev.lethe.retention.Sweeping.read;
import static dev.lethe.retention.Sweeping.rule;
import static dev.lethe.retention.Sweeping.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The messaging platform's seed retention table (examples/messaging-platform.yaml), rule by rule,
 * over HTTP: data is sent through {@code POST /v1/messages} and {@code /v1/identify}, the clock is
 * moved, and at each rule's moment a sweep one day before keeps the data and one a day after
 * removes it (or, for traffic data, anonymises it), with the rule's own count in the sweep's
 * report. Before every live sweep a preview for the same instant is asked for, and it must report
 * the same per rule.
 */
class MessagingSeedRetentionTest {

    static final String POLICY = read("examples/messaging-platform.yaml");

    static final Duration DAY = Duration.ofDays(1);

    /**
     * Content and logs: conversations (6 months from the conversation's start, a later message
     * too), email over SMTP (7 days), email over HTTP (2 days from sending: from sendAt when given),
     * CPaaS (3 months, content and log).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void eachContentAndLogRuleGoesOnItsDayCountedFromItsOwnTrigger(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var s = new Seed(lethe);
            Instant t0 = lethe.clock().instant();
            Instant conversationStart = t0.minus(Duration.ofDays(10));
            s.send("""
                    {"subject": {"phone": "+32471000001"}, "channel": "chat", "product": "conversations",
                     "direction": "inbound", "conversationId": "conv-7", "ts": "%s", "content": "hello, first"}
                    """.formatted(conversationStart));
            s.send("""
                    {"subject": {"phone": "+32471000001"}, "channel": "chat", "product": "conversations",
                     "direction": "outbound", "conversationId": "conv-7", "content": "a later answer"}
                    """);
            // conv-9: its first message arrives after a later one, and moves the start 20 days back
            Instant movedStart = t0.minus(Duration.ofDays(20));
            s.send("""
                    {"subject": {"phone": "+32471000004"}, "channel": "chat", "product": "conversations",
                     "direction": "outbound", "conversationId": "conv-9", "content": "a reply, sent first"}
                    """);
            s.send("""
                    {"subject": {"phone": "+32471000004"}, "channel": "chat", "product": "conversations",
                     "direction": "inbound", "conversationId": "conv-9", "ts": "%s", "content": "the question, late"}
                    """.formatted(movedStart));
            s.send("""
                    {"subject": {"phone": "+32471000002"}, "channel": "chat", "product": "answers",
                     "direction": "inbound", "conversationId": "conv-8", "content": "a conversation of today"}
                    """);
            s.send("""
                    {"subject": {"email": "smtp@example.org"}, "channel": "email", "api": "smtp",
                     "direction": "outbound", "content": "your order"}
                    """);
            s.send("""
                    {"subject": {"email": "http@example.org"}, "channel": "email", "api": "http",
                     "direction": "outbound", "content": "sent at once"}
                    """);
            s.send("""
                    {"subject": {"email": "http@example.org"}, "channel": "email", "api": "http",
                     "direction": "outbound", "sendAt": "%s", "content": "scheduled"}
                    """.formatted(t0.plus(Duration.ofDays(5))));
            s.send("""
                    {"subject": {"phone": "+32471000003"}, "channel": "sms", "product": "cpaas",
                     "direction": "outbound", "content": "your code is 1234"}
                    """);
            assertThat(s.messages("communication_content_conversations")).isEqualTo(5);
            assertThat(s.contentValues("communication_content_conversations")).isEqualTo(5);
            assertThat(lethe.strings(
                            "select distinct rule_kind from messages where record_rule = ?",
                            "communication_content_conversations"))
                    .as("the conversations' rows are their logs")
                    .containsExactly("communication_logs_conversations");

            // email over HTTP without sendAt: 2 days from ts
            var day1 = s.sweepAt(t0.plus(DAY));
            s.noneAffected(day1);
            assertThat(s.messages("email_content_http")).isEqualTo(2);

            var day3 = s.sweepAt(t0.plus(Duration.ofDays(3)));
            assertThat(s.affected(day3, "records.email_content_http")).isEqualTo(1);
            assertThat(s.messages("email_content_http")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from messages where send_at is not null"))
                    .as("the scheduled email counts from its sendAt, 5 days after its ts: it survives day 3")
                    .isEqualTo(1);
            assertThat(s.messages("email_content_smtp")).isEqualTo(1);

            // SMTP: 7 days from ts; the scheduled HTTP one: 2 days from its sendAt (day 7)
            var day6 = s.sweepAt(t0.plus(Duration.ofDays(6)));
            s.noneAffected(day6);
            assertThat(s.messages("email_content_smtp")).isEqualTo(1);
            assertThat(s.messages("email_content_http")).isEqualTo(1);
            var day8 = s.sweepAt(t0.plus(Duration.ofDays(8)));
            assertThat(s.affected(day8, "records.email_content_smtp")).isEqualTo(1);
            assertThat(s.affected(day8, "records.email_content_http")).isEqualTo(1);
            assertThat(s.messages("email_content_smtp")).isZero();
            assertThat(s.messages("email_content_http")).isZero();
            assertThat(s.contentValues("email_content_smtp") + s.contentValues("email_content_http"))
                    .isZero();

            // CPaaS: content and log, 3 months from ts
            Instant cpaasEnd = plus(t0, Period.ofMonths(3));
            s.noneAffected(s.sweepAt(cpaasEnd.minus(DAY)));
            assertThat(s.messages("communication_content_cpaas")).isEqualTo(1);
            assertThat(s.contentValues("communication_content_cpaas")).isEqualTo(1);
            var cpaas = s.sweepAt(cpaasEnd.plus(DAY));
            assertThat(s.derived(cpaas, "records.communication_content_cpaas"))
                    .as("the content values, under the content rule")
                    .isEqualTo(1);
            assertThat(s.affected(cpaas, "records.communication_logs_cpaas"))
                    .as("the message's log row")
                    .isEqualTo(1);
            assertThat(s.messages("communication_content_cpaas")).isZero();
            assertThat(s.contentValues("communication_content_cpaas")).isZero();
            assertThat(s.messages("communication_content_conversations")).isEqualTo(5);

            // conversations: 6 months from the conversation's start, for its later message too
            Instant movedEnd = plus(movedStart, Period.ofMonths(6));
            s.noneAffected(s.sweepAt(movedEnd.minus(DAY)));
            assertThat(s.messages("communication_content_conversations")).isEqualTo(5);
            var moved = s.sweepAt(movedEnd.plus(DAY));
            assertThat(s.affected(moved, "records.communication_logs_conversations"))
                    .as("both messages of conv-9, counted from the start the late one moved back")
                    .isEqualTo(2);
            assertThat(s.messages("communication_content_conversations")).isEqualTo(3);
            Instant conversationEnd = plus(conversationStart, Period.ofMonths(6));
            s.noneAffected(s.sweepAt(conversationEnd.minus(DAY)));
            assertThat(s.messages("communication_content_conversations")).isEqualTo(3);
            var conversations = s.sweepAt(conversationEnd.plus(DAY));
            assertThat(s.derived(conversations, "records.communication_content_conversations"))
                    .as("the two messages' content, under the content rule")
                    .isEqualTo(2);
            assertThat(s.affected(conversations, "records.communication_logs_conversations"))
                    .as("both messages of conv-7, the later one not 6 months old itself")
                    .isEqualTo(2);
            assertThat(s.messages("communication_content_conversations"))
                    .as("conv-8 started 10 days later")
                    .isEqualTo(1);
            assertThat(s.contentValues("communication_content_conversations")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from conversations")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from subjects"))
                    .as("the people stay: their profiles have their own rule")
                    .isEqualTo(6);
        }
    }

    /**
     * Campaigns (kept while running; 3 months after their end), media (OTT 30 days; email
     * attachments in conversations 1 year, past their message's 6 months) and traffic data (12
     * months, anonymised: the values go, a row that is still kept stays without them).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void campaignsMediaAndTrafficGoOnTheirDays(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var s = new Seed(lethe);
            Instant t0 = lethe.clock().instant();
            s.send("""
                    {"subject": {"phone": "+32471000011"}, "channel": "sms", "product": "broadcast",
                     "direction": "outbound", "campaignId": "spring", "ts": "%s"}
                    """.formatted(plus(t0, Period.ofMonths(-23))));
            s.send("""
                    {"subject": {"phone": "+32471000011"}, "channel": "sms", "product": "broadcast",
                     "direction": "outbound", "campaignId": "spring", "content": "spring sale"}
                    """);
            s.send("""
                    {"subject": {"phone": "+32471000012"}, "channel": "sms", "product": "flow",
                     "direction": "outbound", "campaignId": "evergreen",
                     "traffic": {"from": "QUOKKA", "to": "+32471000012", "route": "be-proximus", "duration": "0"}}
                    """);
            s.send("""
                    {"subject": {"phone": "+32471000013"}, "channel": "sms", "product": "cpaas",
                     "direction": "outbound", "content": "your code is 9876",
                     "traffic": {"from": "QUOKKA", "to": "+32471000013", "route": "be-orange", "duration": "0"}}
                    """);
            s.send("""
                    {"subject": {"phone": "+32471000014"}, "channel": "whatsapp", "product": "cpaas",
                     "direction": "inbound", "content": "look at this", "attachments": ["photo-bytes"]}
                    """);
            s.send("""
                    {"subject": {"email": "attach@example.org"}, "channel": "email", "product": "conversations",
                     "direction": "inbound", "conversationId": "conv-mail", "content": "the invoice, attached",
                     "attachments": [{"name": "invoice.pdf", "data": "invoice-bytes"}]}
                    """);
            String spring = "(select message_id from messages where campaign_id = 'spring')";
            String evergreen = "(select message_id from messages where campaign_id = 'evergreen')";
            assertThat(s.messages("communication_campaigns")).isEqualTo(3);
            assertThat(s.values("record_kind = 'traffic'")).isEqualTo(8);
            assertThat(s.values("rule_kind = 'ott_media'")).isEqualTo(1);
            assertThat(s.values("rule_kind = 'email_attachments_conversations'"))
                    .isEqualTo(1);

            // a campaign that has not ended keeps its messages, however old
            var now = s.sweepAt(t0);
            assertThat(s.affected(now, "records.communication_campaigns")).isZero();
            assertThat(lethe.count("select count(*) from messages where campaign_id = 'spring'"))
                    .as("one of them 23 months old")
                    .isEqualTo(2);

            // OTT media: 30 days; the message and its content stay (3 months)
            s.noneAffected(s.sweepAt(t0.plus(Duration.ofDays(29))));
            assertThat(s.values("rule_kind = 'ott_media'")).isEqualTo(1);
            var ott = s.sweepAt(t0.plus(Duration.ofDays(31)));
            assertThat(s.affected(ott, "records.ott_media")).isEqualTo(1);
            assertThat(s.values("rule_kind = 'ott_media'")).isZero();
            assertThat(lethe.count("select count(*) from messages where channel = 'whatsapp'"))
                    .isEqualTo(1);
            assertThat(s.contentValues("communication_content_cpaas")).isEqualTo(2);

            // the campaign ends 20 days after t0: its messages go 3 months later
            Instant ended = t0.plus(Duration.ofDays(20));
            var end = lethe.http()
                    .put("/v1/campaigns/spring", s.key, "{\"endedAt\": \"%s\"}".formatted(ended), "application/json");
            assertThat(end.status()).as(end.toString()).isEqualTo(200);

            // CPaaS rows go at 3 months; their traffic data stays for its own 12 months
            Instant cpaasEnd = plus(t0, Period.ofMonths(3));
            s.noneAffected(s.sweepAt(cpaasEnd.minus(DAY)));
            var cpaas = s.sweepAt(cpaasEnd.plus(DAY));
            assertThat(s.affected(cpaas, "records.communication_logs_cpaas")).isEqualTo(2);
            assertThat(s.messages("communication_content_cpaas")).isZero();
            assertThat(s.values("record_kind = 'traffic'"))
                    .as("traffic data outlives the CPaaS log: the platform keeps it 12 months")
                    .isEqualTo(8);

            Instant campaignEnd = plus(ended, Period.ofMonths(3));
            s.noneAffected(s.sweepAt(campaignEnd.minus(DAY)));
            assertThat(lethe.count("select count(*) from messages where campaign_id = 'spring'"))
                    .isEqualTo(2);
            var campaign = s.sweepAt(campaignEnd.plus(DAY));
            assertThat(s.affected(campaign, "records.communication_campaigns")).isEqualTo(2);
            assertThat(s.derived(campaign, "records.communication_campaigns"))
                    .as("the content of the recent one")
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from messages where campaign_id = 'spring'"))
                    .isZero();
            assertThat(lethe.count("select count(*) from messages where campaign_id = 'evergreen'"))
                    .as("a campaign that has not ended")
                    .isEqualTo(1);

            // the conversation's email: the message goes at 6 months, its attachment stays a year
            Instant conversationEnd = plus(t0, Period.ofMonths(6));
            s.noneAffected(s.sweepAt(conversationEnd.minus(DAY)));
            var conversation = s.sweepAt(conversationEnd.plus(DAY));
            assertThat(s.affected(conversation, "records.communication_logs_conversations"))
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from messages where channel = 'email'"))
                    .isZero();
            assertThat(s.values("rule_kind = 'email_attachments_conversations'"))
                    .as("email attachments in conversations: 1 year")
                    .isEqualTo(1);

            // a year: the attachment and the traffic data go; the running campaign's row stays
            Instant year = plus(t0, Period.ofYears(1));
            s.noneAffected(s.sweepAt(year.minus(DAY)));
            assertThat(s.values("record_kind = 'traffic'")).isEqualTo(8);
            assertThat(s.values("rule_kind = 'email_attachments_conversations'"))
                    .isEqualTo(1);
            var last = s.sweepAt(year.plus(DAY));
            assertThat(s.affected(last, "records.email_attachments_conversations"))
                    .isEqualTo(1);
            assertThat(s.affected(last, "records.traffic_records")).isEqualTo(8);
            assertThat(rule(last, "records.traffic_records").get("action").asText())
                    .isEqualTo("anonymise");
            assertThat(s.values("record_kind = 'traffic'")).isZero();
            assertThat(s.values("record_kind = 'media'")).isZero();
            assertThat(lethe.count("select count(*) from messages where campaign_id = 'evergreen'"))
                    .as("the row stays")
                    .isEqualTo(1);
            assertThat(lethe.count("select count(*) from personal_values where record_id in " + evergreen))
                    .as("with no personal value")
                    .isZero();
            assertThat(lethe.count("select count(*) from personal_values where record_id in " + spring))
                    .isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(5);
        }
    }

    /**
     * Customer databases and the people's categories, by inactivity: a person silent for 18 months
     * and 30 days goes with everything they hold; one active since stays, and so does one who
     * became active again just before the sweep.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aPersonSilentFor18MonthsAnd30DaysGoesWithAllTheyHold(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var s = new Seed(lethe);
            Instant t0 = lethe.clock().instant();
            String silent = s.person("+32471000021", "Ada", "Silent");
            String active = s.person("+32471000022", "Bea", "Active");
            String back = s.person("+32471000023", "Cy", "Back");
            for (String phone : new String[] {"+32471000021", "+32471000022", "+32471000023"}) {
                s.send("""
                        {"subject": {"phone": "%s"}, "channel": "sms", "product": "broadcast",
                         "direction": "outbound", "campaignId": "evergreen", "content": "hello"}
                        """.formatted(phone));
            }
            long silentValues = s.held(silent, "personal_values");
            assertThat(silentValues)
                    .as("phone, first and last name, message content")
                    .isEqualTo(4);

            lethe.clock().set(plus(t0, Period.ofMonths(12)));
            s.send("""
                    {"subject": {"phone": "+32471000022"}, "channel": "sms", "product": "cpaas",
                     "direction": "inbound", "content": "still here"}
                    """);

            Instant gone = plus(plus(t0, Period.ofMonths(18)), Period.ofDays(30));
            var before = s.sweepAt(gone.minus(DAY));
            assertThat(s.affected(before, "records.customer_databases")).isZero();
            assertThat(lethe.count("select count(*) from subjects")).isEqualTo(3);

            // the third person writes again an hour before the sweep
            lethe.clock().set(gone.plus(DAY).minus(Duration.ofHours(1)));
            s.send("""
                    {"subject": {"phone": "+32471000023"}, "channel": "sms", "product": "cpaas",
                     "direction": "inbound", "content": "back again"}
                    """);
            var after = s.sweepAt(gone.plus(DAY));
            assertThat(s.affected(after, "records.customer_databases")).isEqualTo(1);
            assertThat(s.derived(after, "records.customer_databases"))
                    .as("everything the person held")
                    .isPositive();
            for (String table : new String[] {"subjects", "identifiers", "personal_values", "messages"})
                assertThat(s.held(silent, table)).as(table).isZero();
            assertThat(s.held(active, "subjects")).isEqualTo(1);
            assertThat(s.held(back, "subjects")).isEqualTo(1);
            assertThat(s.held(active, "identifiers")).isEqualTo(1);
            assertThat(s.held(back, "identifiers")).isEqualTo(1);
            assertThat(lethe.count("select count(*) from personal_values where category in ('name', 'phone_number')"))
                    .as("the names and phone numbers of the two who stay")
                    .isEqualTo(6);
            for (String category : new String[] {"phone_number", "name", "email_address", "profile_attributes"})
                assertThat(s.affected(after, "categories." + category))
                        .as("the profile rule took them first")
                        .isZero();
        }
    }

    /**
     * Customer databases and the people's categories, by the contract's end: everyone goes 30 days
     * after it, not one day before; another account's people stay.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void everyoneGoes30DaysAfterTheContractEnds(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var s = new Seed(lethe);
            var other = new Seed(lethe);
            Instant t0 = lethe.clock().instant();
            s.person("+32471000031", "Dee", "One");
            s.person("+32471000032", "Eve", "Two");
            other.person("+32471000031", "Dee", "Elsewhere");
            for (var seed : new Seed[] {s, other}) seed.send("""
                        {"subject": {"phone": "+32471000031"}, "channel": "sms", "product": "cpaas",
                         "direction": "outbound", "content": "hello"}
                        """);

            Instant contractEnd = t0.plus(Duration.ofDays(10));
            lethe.clock().set(contractEnd);
            var ended = lethe.http()
                    .post(
                            "/v1/accounts/" + s.account.id() + "/contract",
                            TestLethe.OPERATOR_KEY,
                            "{\"endedAt\": \"%s\"}".formatted(contractEnd));
            assertThat(ended.status()).as(ended.toString()).isEqualTo(200);

            Instant gone = plus(contractEnd, Period.ofDays(30));
            var before = s.sweepAt(gone.minus(DAY));
            s.noneAffected(before);
            assertThat(s.inAccount("subjects")).isEqualTo(2);

            var after = s.sweepAt(gone.plus(DAY));
            assertThat(s.affected(after, "records.customer_databases")).isEqualTo(2);
            for (String table : new String[] {"subjects", "identifiers", "personal_values", "messages"})
                assertThat(s.inAccount(table)).as(table).isZero();
            assertThat(other.sweepAt(gone.plus(DAY))
                            .get("totals")
                            .get("affected")
                            .asLong())
                    .isZero();
            assertThat(other.inAccount("subjects")).isEqualTo(1);
            assertThat(other.inAccount("personal_values")).isEqualTo(4);
        }
    }

    static Instant plus(Instant t, Period p) {
        return t.atZone(ZoneOffset.UTC).plus(p).toInstant();
    }

    /** One account under the seed's policy, with what the tests do with it. */
    static final class Seed {
        final TestLethe lethe;
        final TestLethe.Tenant account;
        final String key;

        Seed(TestLethe lethe) {
            this.lethe = lethe;
            this.account = lethe.createAccount("Messaging " + UUID.randomUUID());
            this.key = account.adminKey();
            var put = lethe.http().putYaml("/v1/policy", key, POLICY);
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
        }

        /** Sends one message; it must be stored. */
        void send(String message) {
            var r = lethe.http().post("/v1/messages", key, "{\"messages\": [" + message + "]}");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            assertThat(r.json().get("accepted").asInt()).as(r.toString()).isEqualTo(1);
        }

        /** A person of the customer data platform: a phone number and a name. */
        String person(String phone, String first, String last) {
            var r = lethe.http().post("/v1/identify", key, """
                    {"subjectType": "end_user", "identifiers": {"phone": "%s"},
                     "traits": {"firstName": "%s", "lastName": "%s"}}
                    """.formatted(phone, first, last));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            return r.json().get("profileId").asText();
        }

        /**
         * A preview for {@code at}, asked before the clock gets there, then the live sweep at
         * {@code at}: they must agree on every rule.
         */
        JsonNode sweepAt(Instant at) {
            var preview = lethe.http().post("/v1/sweeps", key, """
                    {"dryRun": true, "asOf": "%s"}
                    """.formatted(at));
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            lethe.clock().set(at);
            var live = Sweeping.sweep(lethe.http(), key);
            assertThat(withoutTimes(live.get("rules")))
                    .as("the preview for %s equals the sweep then", at)
                    .isEqualTo(withoutTimes(preview.json().get("rules")));
            return live;
        }

        long affected(JsonNode report, String rule) {
            return rule(report, rule).get("affected").asLong();
        }

        long derived(JsonNode report, String rule) {
            return rule(report, rule).get("derived").asLong();
        }

        void noneAffected(JsonNode report) {
            assertThat(report.get("totals").get("affected").asLong())
                    .as(report.toString())
                    .isZero();
            assertThat(report.get("totals").get("derived").asLong())
                    .as(report.toString())
                    .isZero();
        }

        long messages(String recordRule) {
            return lethe.count(
                    "select count(*) from messages where account_id = ? and record_rule = ?", uuid(), recordRule);
        }

        long contentValues(String rule) {
            return lethe.count(
                    "select count(*) from personal_values where account_id = ? and field = 'message.content'"
                            + " and rule_kind = ?",
                    uuid(),
                    rule);
        }

        long values(String condition) {
            return lethe.count("select count(*) from personal_values where account_id = ? and " + condition, uuid());
        }

        long held(String subjectId, String table) {
            return lethe.count(
                    "select count(*) from " + table + " where account_id = ? and subject_id = ?",
                    uuid(),
                    UUID.fromString(subjectId));
        }

        long inAccount(String table) {
            return lethe.count("select count(*) from " + table + " where account_id = ?", uuid());
        }

        UUID uuid() {
            return UUID.fromString(account.id());
        }
    }
}
