package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Follows a job on the server ({@code GET /v1/jobs/{id}}) until it stops or waits for someone,
 * showing its progress, and prints its errors. Shared by {@code import}, {@code export} and
 * {@code delete-bulk}.
 */
final class JobWatch {

    /** The states in which a job no longer moves by itself. */
    static final Set<String> STILL = Set.of("staged", "completed", "failed", "cancelled", "expired");

    /** How long the server may not answer while a job is followed before the command gives up. */
    static final Duration LOST_FOR = Duration.ofSeconds(30);

    /** How many of a job's errors the command prints before saying how many more there are. */
    static final int ERRORS_SHOWN = 20;

    private final Remote remote;
    private final String secret;
    private final Progress progress;
    private final Duration poll;

    JobWatch(Remote remote, String secret, Progress progress, Duration poll) {
        this.remote = remote;
        this.secret = secret;
        this.progress = progress;
        this.poll = poll;
    }

    /** Polls the job until it is in one of {@link #STILL}; answers its last state. */
    JsonNode follow(String jobId) {
        int lost = 0;
        while (true) {
            java.net.http.HttpResponse<String> r;
            try {
                r = remote.get("/v1/jobs/" + encode(jobId), secret);
                lost = 0;
            } catch (SettingException e) {
                // the job goes on on the server whether or not we can see it: ride out a short outage
                if (++lost * poll.toMillis() >= LOST_FOR.toMillis())
                    throw new SettingException(
                            e.getMessage() + "; job " + jobId + " goes on on the server (GET /v1/jobs/" + jobId + ")");
                pause(jobId);
                continue;
            }
            JsonNode job = Remote.json(r.body());
            if (r.statusCode() != 200 || job == null) throw new Refused(r.statusCode(), job);
            String state = job.path("state").asText();
            Long total = job.hasNonNull("total") ? job.get("total").asLong() : null;
            progress.show(state, job.path("done").asLong(), total);
            if (STILL.contains(state)) {
                progress.end();
                return job;
            }
            pause(jobId);
        }
    }

    private void pause(String jobId) {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SettingException("interrupted while following job " + jobId + " (it goes on on the server)");
        }
    }

    /** Prints the job's first errors (row, column, why) and how many more there are. */
    void printErrors(JsonNode job, PrintWriter out) {
        long count = job.path("errors").asLong();
        if (count == 0) return;
        var r = remote.get("/v1/jobs/" + encode(job.path("id").asText()) + "/errors?limit=" + ERRORS_SHOWN, secret);
        JsonNode page = Remote.json(r.body());
        out.println(count + (count == 1 ? " error:" : " errors:"));
        if (page != null)
            for (var e : page.path("errors")) {
                String column =
                        e.hasNonNull("column") ? ", column " + e.get("column").asText() : "";
                out.println("  row " + e.path("row").asLong() + column + ": "
                        + e.path("reason").asText());
            }
        if (count > ERRORS_SHOWN)
            out.println("  ... and " + (count - ERRORS_SHOWN) + " more (GET /v1/jobs/"
                    + job.path("id").asText() + "/errors)");
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The server refused a call: its status and problem, printed by the command. */
    static final class Refused extends RuntimeException {
        final int status;
        final transient JsonNode answer;

        Refused(int status, JsonNode answer) {
            super("HTTP " + status, null, false, false);
            this.status = status;
            this.answer = answer;
        }
    }
}
