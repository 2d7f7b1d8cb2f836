package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
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

    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Option(
            names = "--url",
            defaultValue = "${env:LETHE_URL:-http://127.0.0.1:8080}",
            description = "The server's address (env LETHE_URL, default http://127.0.0.1:8080).")
    String url;

    @Option(
            names = "--key",
            defaultValue = "${env:LETHE_KEY}",
            description = "An admin key of the account, or an operator key with --account (env LETHE_KEY).")
    String key;

    @Option(
            names = "--key-file",
            paramLabel = "FILE",
            description = "Read the key from this file instead (e.g. data/bootstrap-operator.key with --account).")
    Path keyFile;

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
        URI endpoint;
        try {
            secret = key();
            endpoint = endpoint();
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
            response = post(endpoint, secret, body.toString());
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
            problem(response, answer, err);
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

    /** The key given, read from its file, or the environment's; never empty. */
    private String key() {
        if (keyFile != null) {
            try {
                String k = Files.readString(keyFile).strip();
                if (k.isEmpty()) throw new SettingException("--key-file " + keyFile + " is empty");
                return k;
            } catch (NoSuchFileException e) {
                throw new SettingException("no such key file: " + keyFile);
            } catch (IOException e) {
                throw new SettingException("cannot read the key file " + keyFile + ": " + e.getMessage());
            }
        }
        if (key == null || key.isBlank())
            throw new SettingException("give a key: --key / LETHE_KEY (an admin key of the account, or an operator"
                    + " key with --account), or --key-file FILE");
        return key.strip();
    }

    private URI endpoint() {
        String base = url == null ? "" : url.strip().replaceAll("/+$", "");
        try {
            var uri = new URI(base + "/v1/sweeps");
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null)
                throw new URISyntaxException(base, "not an http(s) URL");
            return uri;
        } catch (URISyntaxException e) {
            throw new SettingException("--url / LETHE_URL must be the server's http:// or https:// address (such as"
                    + " http://127.0.0.1:8080), not '" + url + "'");
        }
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

    private HttpResponse<String> post(URI endpoint, String secret, String body) {
        var client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        // no request timeout: a live sweep of a large account takes as long as it takes
        var request = HttpRequest.newBuilder(endpoint)
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        String server = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new SettingException("no Lethe server is answering at " + server + " ("
                    + (e instanceof HttpConnectTimeoutException ? "no answer in 10 seconds" : "connection refused")
                    + "): start one with 'lethe serve', or give its address with --url / LETHE_URL");
        } catch (IOException e) {
            throw new SettingException("cannot reach the server at " + server + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SettingException("interrupted while waiting for the server at " + server);
        }
    }

    /** The server's refusal: its title and status, each field error with its path, and what to do for a key. */
    private static void problem(HttpResponse<String> r, JsonNode answer, PrintWriter err) {
        int status = r.statusCode();
        String title = answer == null ? "" : answer.path("title").asText("");
        if (title.isBlank()) title = "the server answered " + status + " without saying why";
        err.println("lethe: " + title + " (HTTP " + status + ")");
        if (answer != null) {
            for (var e : answer.path("errors")) {
                String path = e.path("path").asText("");
                err.println("  " + (path.isEmpty() ? "(request)" : path) + ": "
                        + e.path("message").asText(""));
            }
        }
        if (status == 401)
            err.println("  the key was not accepted: give an admin key of the account (or an operator key with"
                    + " --account) with --key / LETHE_KEY or --key-file");
        if (status == 403)
            err.println("  this key may not run sweeps: it takes an admin key of the account, or an operator key with"
                    + " --account");
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
