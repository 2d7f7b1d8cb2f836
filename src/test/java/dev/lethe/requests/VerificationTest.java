package dev.lethe.requests;

import static dev.lethe.requests.RequestsApiTest.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.storage.Ids;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.JdbcSubjectStore;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import dev.lethe.values.JdbcValueStore;
import dev.lethe.values.PersonalValues;
import dev.lethe.values.Sensitive;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verification state machine, on a real database, with a TEST DOUBLE of {@link
 * RequestActions} that records the emails it is asked to send: the outbox that sends them is
 * another feature, wired at merge. A code goes to the person's stored email and only its hash is
 * kept; the clock starts when the right code is given; wrong codes are limited; a new code
 * replaces the old one; an expired code is refused.
 */
class VerificationTest {

    /** An email the service asked to send: to whom, and its text. */
    record Sent(String subjectId, Sensitive to, String text) {}

    /** Records emails; erasure and consent withdrawal are refused as on a server without them. */
    static final class RecordingActions implements RequestActions {
        final List<Sent> sent = new ArrayList<>();

        @Override
        public Object erase(Handle h, Caller caller, String subjectId, String requestId) {
            return UNAVAILABLE.erase(h, caller, subjectId, requestId);
        }

        @Override
        public void withdrawConsent(Handle h, String accountId, String subjectId, Set<String> purposes, String source) {
            UNAVAILABLE.withdrawConsent(h, accountId, subjectId, purposes, source);
        }

        @Override
        public void email(
                Handle h,
                String accountId,
                String subjectId,
                Sensitive to,
                String subject,
                String text,
                String purpose) {
            sent.add(new Sent(subjectId, to, text));
        }

        String lastCode() {
            var m = Pattern.compile("give this code: (\\w+)")
                    .matcher(sent.getLast().text());
            assertThat(m.find()).isTrue();
            return m.group(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void theClockStartsWhenTheRightCodeIsGivenAndWrongCodesAreLimited(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            String profile = person(lethe.http(), a.adminKey(), "zebulon@example.org");
            var actions = new RecordingActions();
            var requests = requests(lethe, actions);
            var admin = new Caller(a.id(), TestLethe.keyIdOf(a.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
            Instant received = lethe.clock().instant();

            var r = requests.create(
                    admin,
                    new NewRequest(
                            RequestType.ACCESS,
                            "email",
                            new Sensitive("Zebulon@Example.org"),
                            received,
                            List.of(),
                            true));

            assertThat(r.status()).isEqualTo("awaiting_verification");
            assertThat(r.dueAt()).as("the clock has not started").isNull();
            assertThat(r.verificationAttemptsLeft()).isEqualTo(VerificationCodes.MAX_ATTEMPTS);
            assertThat(actions.sent).hasSize(1);
            assertThat(actions.sent.get(0).to().value()).isEqualTo("zebulon@example.org");
            assertThat(actions.sent.get(0).subjectId()).isEqualTo(profile);
            String first = actions.lastCode();
            assertThat(lethe.strings("select verification_hash from requests"))
                    .singleElement()
                    .satisfies(h -> assertThat(h).doesNotContain(first));
            assertThatThrownBy(() -> requests.extend(admin, r.id(), 1, null, "busy"))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("not started");

            for (int i = 1; i <= VerificationCodes.MAX_ATTEMPTS; i++) {
                assertThatThrownBy(() -> requests.verify(admin, r.id(), "WRONGCODE1"))
                        .isInstanceOf(InvalidInputException.class);
            }
            assertThatThrownBy(() -> requests.verify(admin, r.id(), first))
                    .as("even the right code, once the attempts ran out")
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("No attempts are left");

            requests.resendCode(admin, r.id());
            String second = actions.lastCode();
            assertThat(second).isNotEqualTo(first);
            assertThatThrownBy(() -> requests.verify(admin, r.id(), first)).isInstanceOf(InvalidInputException.class);
            lethe.clock().advance(Duration.ofDays(3));
            Instant verifiedAt = lethe.clock().instant();
            var verified = requests.verify(admin, r.id(), second.toLowerCase(java.util.Locale.ROOT));

            assertThat(verified.status()).isEqualTo("in_progress");
            assertThat(verified.clockStartedAt()).isEqualTo(verifiedAt);
            assertThat(verified.dueAt()).isEqualTo(Deadlines.due(verifiedAt));
            assertThat(verified.receivedAt()).isEqualTo(received);
            assertThat(lethe.count("select count(*) from requests where verification_hash is null"))
                    .isEqualTo(1);
            assertThat(lethe.strings("select action from audit_log where action like 'request.verification.%'"))
                    .containsOnly(
                            "request.verification.sent", "request.verification.failed", "request.verification.passed");
            assertThatThrownBy(() -> requests.verify(admin, r.id(), second)).isInstanceOf(ConflictException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void anExpiredCodeIsRefusedAndAPersonWithoutEmailCannotBeVerified(TestDatabase engine) {
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Quokka");
            var http = lethe.http();
            http.putYaml("/v1/policy", a.adminKey(), TestPolicies.DATA_CORE);
            person(http, a.adminKey(), "zebulon@example.org");
            http.post("/v1/identify", a.adminKey(), "{\"identifiers\": {\"phone\": \"+32 471 23 45 67\"}}");
            var actions = new RecordingActions();
            var requests = requests(lethe, actions);
            var admin = new Caller(a.id(), TestLethe.keyIdOf(a.adminKey()), Set.of(Scope.ADMIN), "127.0.0.1");
            var r = requests.create(
                    admin,
                    new NewRequest(
                            RequestType.ERASURE, "email", new Sensitive("zebulon@example.org"), null, List.of(), true));
            lethe.clock().advance(Requests.CODE_VALIDITY.plusSeconds(1));

            assertThatThrownBy(() -> requests.verify(admin, r.id(), actions.lastCode()))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("expired");
            assertThatThrownBy(() -> requests.create(
                            admin,
                            new NewRequest(
                                    RequestType.ACCESS, "phone", new Sensitive("+32471234567"), null, List.of(), true)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("cannot be verified");
            assertThat(lethe.count("select count(*) from requests")).isEqualTo(1);
        }
    }

    private static Requests requests(TestLethe lethe, RequestActions actions) {
        var l = lethe.lethe();
        var ids = new Ids(new SecureRandom(), lethe.clock());
        var jdbi = l.database().jdbi();
        return new Requests(
                jdbi,
                new Transactions(jdbi),
                new JdbcRequestStore(),
                new SubjectDirectory(new JdbcSubjectStore(), l.keyring(), ids, lethe.clock()),
                l.keyring(),
                new PersonalValues(new JdbcValueStore(l.database().dialect()), l.keyring(), ids),
                l.profiles().rectification(),
                actions,
                new VerificationCodes(new SecureRandom()),
                new RequestMetrics(new SimpleMeterRegistry()),
                l.audit(),
                ids,
                lethe.clock());
    }
}
