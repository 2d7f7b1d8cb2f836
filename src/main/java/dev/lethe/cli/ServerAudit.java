package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;

/**
 * {@code lethe audit verify --server URL}: the same check asked of a running server
 * ({@code GET /v1/audit/verify}), for when the server holds the embedded database (H2 lets one
 * process open it). An operator key checks the platform's chain and every account's; an account's
 * admin key checks that account's chain.
 */
final class ServerAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The server said no, or could not be reached: not a verdict on the chain. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private final String base;
    private final String key;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServerAudit(String server, String key) {
        this.base = server.strip().replaceAll("/+$", "");
        this.key = key;
    }

    /** Checks the chains and prints one line per chain (and one per problem); true when every one is intact. */
    boolean verify(String account, PrintWriter out) throws Unreachable {
        var chains = new ArrayList<String>();
        if (account != null) chains.add(account);
        else {
            var accounts = get("/v1/accounts", true);
            if (accounts == null) chains.add(null); // not an operator key: its own account's chain
            else {
                chains.add("platform");
                accounts.get("accounts").forEach(a -> chains.add(a.get("id").asText()));
            }
        }
        boolean intact = true;
        for (String chain : chains) {
            var v = get(
                    "/v1/audit/verify"
                            + (chain == null ? "" : "?account=" + URLEncoder.encode(chain, StandardCharsets.UTF_8)),
                    false);
            boolean ok = v.get("intact").asBoolean();
            out.println((ok ? "intact  " : "BROKEN  ") + (chain == null ? "this key's account" : chain) + ": "
                    + v.get("entries").asLong() + " entries, "
                    + v.get("pending").asLong() + " pending, head "
                    + v.at("/head/seq").asLong() + " " + v.at("/head/hash").asText());
            for (var p : v.get("problems")) {
                long seq = p.get("seq").asLong();
                out.println((seq == 0 && p.hasNonNull("entry")
                                ? "    pending entry " + p.get("entry").asText()
                                : "    entry " + seq)
                        + ": " + p.get("reason").asText());
            }
            intact &= ok;
        }
        return intact;
    }

    /** The JSON a GET answers; null on 403 when {@code forbiddenIsEmpty}. */
    private JsonNode get(String path, boolean forbiddenIsEmpty) throws Unreachable {
        HttpResponse<String> r;
        try {
            r = client.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofMinutes(5))
                            .header("Authorization", "Bearer " + key)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreachable(
                    "cannot reach the server at " + base + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        if (r.statusCode() == 403 && forbiddenIsEmpty) return null;
        if (r.statusCode() == 401) throw new Unreachable("the server refused the key (401): give a key it knows");
        if (r.statusCode() != 200) {
            throw new Unreachable("the server answered " + r.statusCode() + " to GET " + path + ": " + title(r.body()));
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Unreachable("the server's answer to GET " + path + " is not JSON");
        }
    }

    private static String title(String body) {
        try {
            return JSON.readTree(body).path("title").asText("");
        } catch (IOException e) {
            return "";
        }
    }
}
