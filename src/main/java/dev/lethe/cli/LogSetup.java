package dev.lethe.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the log format and level before the first logger exists, from {@code --log-format} /
 * LETHE_LOG_FORMAT ({@code json}, the default, or {@code text}) and {@code --log-level} /
 * LETHE_LOG_LEVEL (default INFO). A wrong value is a setting error, not a silent default.
 */
final class LogSetup {

    private static final Set<String> FORMATS = Set.of("json", "text");
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogSetup() {}

    /** Applies the settings; returns the problem when one is wrong. */
    static Optional<String> configure(String[] args, Map<String, String> env) {
        String format = flag(args, "--log-format").orElse(env.getOrDefault("LETHE_LOG_FORMAT", "json"));
        String level = flag(args, "--log-level").orElse(env.getOrDefault("LETHE_LOG_LEVEL", "INFO"));
        if (!FORMATS.contains(format)) {
            return Optional.of("--log-format / LETHE_LOG_FORMAT must be json or text, not '" + format + "'");
        }
        if (!LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
            return Optional.of("--log-level / LETHE_LOG_LEVEL must be one of "
                    + String.join(", ", LEVELS.stream().sorted().toList()) + ", not '" + level + "'");
        }
        System.setProperty("LETHE_LOG_LEVEL", level.toUpperCase(Locale.ROOT));
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "text".equals(format) ? "logback-text.xml" : "logback.xml");
        }
        return Optional.empty();
    }

    private static Optional<String> flag(String[] args, String name) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) return Optional.of(args[i + 1]);
            if (args[i].startsWith(name + "=")) return Optional.of(args[i].substring(name.length() + 1));
        }
        return Optional.empty();
    }
}
