package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code lethe sweep}: asks a running server ({@code POST /v1/sweeps}) for a retention sweep of an
 * account now, or with {@code --dry-run} for a preview that changes nothing, as of any date and
 * under the policy in force or a proposed policy file; prints the report as a table per rule. It
 * goes through the server rather than the database so that the sweep takes the account's lease
 * and is recorded and audited exactly as a scheduled one is.
 *
 * <p>Exit 0 when the sweep (or preview) ran; 1 when the server refused it or it failed (the
 * problem is printed with its field paths); 2 when it could not be asked (a wrong option, no key,
 * an unreadable policy file, no server answering).
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Run a retention sweep of an account on a running server now, or preview one (--dry-run) for any date"
                    + " and policy; prints what each rule deleted, anonymised or summarised, and what holds kept.",
            "Exit 0 when it ran, 1 when the server refused it or it failed, 2 when it could not be asked."
        })
final class SweepCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = Remote.JSON;

    private static final String KEY_HINT = "an admin key of the account, or an operator key with --account";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dry-run",
            description = "Preview: show what a sweep would do, and change nothing (the sweep runs in a transaction"
                    + " that is rolled back).")
    boolean dryRun;

    @Option(
            names = "--as-of",
            paramLabel = "DATE",
            converter = AsOf.class,
            description = "With --dry-run: judge the data as of this date (2027-01-31, meaning 00:00 UTC) or instant"
                    + " (2027-01-31T12:00:00Z); default now.")
    Instant asOf;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "With --dry-run: apply this proposed policy (YAML or JSON) instead of the one in force.")
    Path policy;

    @Option(
            names = "--account",
            paramLabel = "ID",
            description = "The account to sweep (needed with an operator key; an admin key sweeps its own).")
    String account;

    @Mixin
    Remote remote;

    @Option(names = "--json", description = "Print the report as the server's JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        var mistakes = new ArrayList<String>();
        if (!dryRun && asOf != null)
            mistakes.add("--as-of is for a preview: add --dry-run (a live sweep runs as of now)");
        if (!dryRun && policy != null)
            mistakes.add("--policy is for a preview: add --dry-run (a live sweep applies the policy in force)");
        if (!mistakes.isEmpty()) {
            mistakes.forEach(m -> err.println("lethe: " + m));
            return 2;
        }
        String secret;
        String policyText = null;
        try {
            secret = remote.key(KEY_HINT);
            remote.uri("/v1/sweeps");
            if (policy != null) policyText = readPolicy();
        } catch (SettingException e) {
            err.println("lethe: " + e.getMessage());
            return 2;
        }

        var body = JSON.createObjectNode();
        if (dryRun) body.put("dryRun", true);
        if (asOf != null) body.put("asOf", asOf.toString());
        if (policyText != null) body.put("policy", policyText);
        if (account != null) body.put("account", account.strip());

        HttpResponse<String> response;
        try {
            response = remote.postJson("/v1/sweeps", secret, body.toString());
        } catch (SettingException e) {
            err.println("lethe: " + e.getMessage());
            return 2;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            answer = null;
        }
        if (response.statusCode() != 200 || answer == null || !answer.isObject()) {
            Remote.problem(response.statusCode(), answer, err, KEY_HINT);
            return 1;
        }
        var out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(
                        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(answer));
            } catch (IOException e) {
                out.println(response.body());
            }
        } else {
            print(answer, out);
        }
        return answer.path("status").asText().equals("failed") ? 1 : 0;
    }

    private String readPolicy() {
        try {
            return Files.readString(policy, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SettingException("no such policy file: " + policy);
        } catch (IOException e) {
            throw new SettingException("cannot read the policy file " + policy + ": " + e.getMessage());
        }
    }

    /** The report as a table: one line per rule, then the totals. */
    static void print(JsonNode report, PrintWriter out) {
        boolean preview = report.path("dryRun").asBoolean();
        String asOf = report.path("asOf").asText();
        JsonNode version = report.path("policyVersion");
        String policy = version.isNumber() ? "policy version " + version.asInt() : "the proposed policy";
        if (preview) {
            out.println("Preview as of " + asOf + " under " + policy + " (nothing was changed)");
        } else {
            out.println("Sweep " + report.path("id").asText() + " "
                    + report.path("status").asText() + " as of " + asOf + " under " + policy + millis(report));
            if (report.hasNonNull("error"))
                out.println("error: " + report.get("error").asText());
        }
        out.println();
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("RULE", "ACTION", "AFFECTED", "DERIVED", "HELD", "HELD BY"));
        for (var r : report.path("rules")) {
            var heldBy = new ArrayList<String>();
            for (var h : r.path("heldBy"))
                heldBy.add(h.path("holdId").asText() + " (" + h.path("rows").asLong() + ")");
            rows.add(List.of(
                    r.path("rule").asText(),
                    r.path("action").asText(),
                    Long.toString(r.path("affected").asLong()),
                    Long.toString(r.path("derived").asLong()),
                    Long.toString(r.path("held").asLong()),
                    heldBy.isEmpty() ? "-" : String.join(", ", heldBy)));
        }
        var totals = report.path("totals");
        rows.add(List.of(
                "TOTAL",
                "",
                Long.toString(totals.path("affected").asLong()),
                Long.toString(totals.path("derived").asLong()),
                Long.toString(totals.path("held").asLong()),
                ""));
        int[] widths = new int[6];
        for (var row : rows)
            for (int i = 0; i < 6; i++)
                widths[i] = Math.max(widths[i], row.get(i).length());
        for (int n = 0; n < rows.size(); n++) {
            var row = rows.get(n);
            var line = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                String cell = row.get(i);
                boolean number = i >= 2 && i <= 4;
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(number ? pad + cell : cell + (i == 5 ? "" : pad));
                if (i < 5) line.append("  ");
            }
            out.println(line.toString().stripTrailing());
            if (n == rows.size() - 2)
                out.println("-".repeat(line.toString().stripTrailing().length()));
        }
        if (report.path("rules").isEmpty()) out.println("(the policy has no retention rules)");
    }

    private static String millis(JsonNode report) {
        try {
            var started = Instant.parse(report.path("startedAt").asText());
            var finished = Instant.parse(report.path("finishedAt").asText());
            return ", in " + Duration.between(started, finished).toMillis() + " ms";
        } catch (DateTimeException e) {
            return "";
        }
    }

    /** {@code --as-of}: a date (00:00 UTC that day) or an instant, with Z or an offset. */
    static final class AsOf implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String v = value.strip();
            try {
                if (v.length() <= 10)
                    return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeException e) {
                throw new TypeConversionException("'" + value + "' is not a date (2027-01-31, meaning 00:00 UTC) or an"
                        + " instant (2027-01-31T12:00:00Z)");
            }
        }
    }
}
