package dev.lethe.cli;

/**
 * Chooses the log format before the first logger exists: JSON lines (default, for machines) or
 * plain text ({@code LETHE_LOG_FORMAT=text}).
 */
final class LogSetup {

    private LogSetup() {}

    static void configure() {
        String format = System.getenv().getOrDefault("LETHE_LOG_FORMAT", "json");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "text".equals(format) ? "logback-text.xml" : "logback.xml");
        }
    }
}
