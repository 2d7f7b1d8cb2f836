package dev.lethe.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A job's progress on the command line: on a terminal a bar redrawn in place ({@code \r}); in a
 * log or a pipe plain lines, one when the phase changes and then at most every {@link
 * #LINE_EVERY} (and at each tenth of the total), so a CI log stays short.
 */
final class Progress {

    /** How often a plain line is written while nothing else changes. */
    static final Duration LINE_EVERY = Duration.ofSeconds(5);

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private String phase;
    private long lastLine;
    private long lastTenth = -1;
    private boolean drawn;

    Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Whether the standard output is a terminal (a person watching), not a file or a pipe. */
    static boolean onTerminal() {
        var console = System.console();
        if (console == null) return false;
        try {
            // Java 22 and later answer whether the console is a terminal; on 21 a console is one
            return (boolean) console.getClass().getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Shows where a phase is: {@code done} of {@code total} (null while unknown) rows. */
    void show(String phaseNow, long done, Long total) {
        long now = System.nanoTime();
        boolean newPhase = !phaseNow.equals(phase);
        if (terminal) {
            if (newPhase && drawn) out.println();
            out.print("\r" + bar(phaseNow, done, total));
            out.flush();
            drawn = true;
        } else {
            long tenth = total == null || total == 0 ? -1 : done * 10 / total;
            if (newPhase || tenth > lastTenth || now - lastLine >= LINE_EVERY.toNanos()) {
                out.println(line(phaseNow, done, total));
                out.flush();
                lastLine = now;
                lastTenth = tenth;
            }
        }
        if (newPhase) {
            phase = phaseNow;
            if (!terminal) lastTenth = total == null || total == 0 ? -1 : done * 10 / total;
        }
    }

    /** Ends the bar's line (on a terminal). */
    void end() {
        if (terminal && drawn) {
            out.println();
            out.flush();
        }
        drawn = false;
    }

    static String bar(String phase, long done, Long total) {
        if (total == null || total <= 0) return String.format(Locale.ROOT, "%-11s %,d rows", phase, done);
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        return String.format(
                Locale.ROOT,
                "%-11s [%s%s] %3d%%  %,d / %,d rows",
                phase,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                Math.min(100, done * 100 / total),
                done,
                total);
    }

    static String line(String phase, long done, Long total) {
        if (total == null || total <= 0) return String.format(Locale.ROOT, "%s: %,d rows", phase, done);
        return String.format(
                Locale.ROOT, "%s: %,d / %,d rows (%d%%)", phase, done, total, Math.min(100, done * 100 / total));
    }
}
