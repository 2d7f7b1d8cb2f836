package dev.lethe.testing;

import dev.lethe.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** The command line, run in-process as a user would type it. */
public final class TestCli {

    private TestCli() {}

    /** What one run printed, and how it ended. */
    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    /** Runs {@code lethe <args>} and returns its exit code and what it printed. */
    public static Run lethe(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
