package dev.lethe.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Every log line of a test, at DEBUG and above, for asserting that no personal value reaches a
 * log. Register with {@code @RegisterExtension final CapturedLogs logs = new CapturedLogs();}.
 */
public final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level rootLevel;

    @Override
    public void beforeEach(ExtensionContext extension) {
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
    }

    @Override
    public void afterEach(ExtensionContext extension) {
        root.setLevel(rootLevel);
        root.detachAppender(appender);
        appender.stop();
    }

    /** The lines logged so far (a copy: servers keep logging while a test reads). */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }
}
