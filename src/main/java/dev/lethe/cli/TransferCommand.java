package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What {@code import}, {@code export} and {@code delete-bulk} share: the server and key, the
 * progress display, and the exit codes — 0 when the job did what was asked, 1 when the server
 * refused it or the job failed or was cancelled, 2 when it could not be asked.
 */
abstract class TransferCommand implements Callable<Integer> {

    static final String KEY_HINT = "an admin key of the account";

    @Spec
    CommandSpec spec;

    @Mixin
    Remote remote;

    @Option(
            names = "--progress",
            defaultValue = "auto",
            description = "bar (redrawn in place), lines (plain lines, for logs) or auto (a bar on a terminal,"
                    + " lines otherwise; default).")
    String progressMode;

    @Option(
            names = "--poll",
            defaultValue = "PT0.5S",
            description = "How often to ask the server how the job is going (ISO-8601, default PT0.5S).",
            hidden = true)
    Duration poll;

    @Override
    public final Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!java.util.List.of("bar", "lines", "auto").contains(progressMode)) {
            err.println("lethe: --progress must be bar, lines or auto, not '" + progressMode + "'");
            return 2;
        }
        boolean terminal = progressMode.equals("bar") || (progressMode.equals("auto") && Progress.onTerminal());
        try {
            String secret = remote.key(KEY_HINT);
            var watch =
                    new JobWatch(remote, secret, new Progress(spec.commandLine().getOut(), terminal), poll);
            return run(secret, watch, spec.commandLine().getOut(), err);
        } catch (SettingException e) {
            err.println("lethe: " + e.getMessage());
            return 2;
        } catch (JobWatch.Refused e) {
            Remote.problem(e.status, e.answer, err, KEY_HINT);
            return 1;
        }
    }

    /** Does the command's work; throws {@link JobWatch.Refused} when the server refuses a call. */
    abstract int run(String secret, JobWatch watch, PrintWriter out, PrintWriter err);

    /** The answer as JSON when its status is one of {@code ok}; else {@link JobWatch.Refused}. */
    static JsonNode expect(HttpResponse<String> r, int... ok) {
        JsonNode answer = Remote.json(r.body());
        for (int status : ok) if (r.statusCode() == status && answer != null) return answer;
        throw new JobWatch.Refused(r.statusCode(), answer);
    }

    /** The exit code of a job that stopped: 0 completed (or staged, when that was asked), 1 otherwise. */
    static int exit(JsonNode job, PrintWriter err, String... fine) {
        String state = job.path("state").asText();
        for (String f : fine) if (f.equals(state)) return 0;
        err.println("lethe: job " + job.path("id").asText() + " " + state
                + (job.hasNonNull("failure") ? ": " + job.get("failure").asText() : ""));
        return 1;
    }
}
