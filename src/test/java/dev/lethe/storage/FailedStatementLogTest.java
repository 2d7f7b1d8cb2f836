package dev.lethe.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import dev.lethe.testing.TestPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class FailedStatementLogTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void aStatementThatFailsIsLoggedWithoutTheValuesItWasGiven(TestDatabase engine) {
        var root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        root.addAppender(appender);
        try (var lethe = new TestLethe(engine)) {
            var a = lethe.createAccount("Zebulon");
            TestDatabase.execute(
                    lethe.jdbcUrl(),
                    "alter table audit_log add constraint refuse_policy_entries check (action <> 'policy.change')");

            var r = lethe.http().putYaml("/v1/policy", a.adminKey(), TestPolicies.SMALL);

            assertThat(r.status()).isEqualTo(500);
            String keyId = a.adminKey().split("_")[1];
            var failures = new StringBuilder();
            for (var event : appender.list) {
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    failures.append(t.getMessage()).append('\n');
                }
            }
            assertThat(failures.toString()).contains("audit_log").doesNotContain(keyId, "policy:1", "127.0.0.1");
        } finally {
            root.detachAppender(appender);
        }
    }
}
