package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options and calls of a command that talks to a running server: its address ({@code --url}
 * / {@code LETHE_URL}), a key ({@code --key} / {@code LETHE_KEY} or {@code --key-file}), requests
 * with that key, and the server's refusals printed with their field paths. A setting that is
 * missing or a server that does not answer is a {@link SettingException} (exit 2).
 */
final class Remote {

    static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--url",
            defaultValue = "${env:LETHE_URL:-http://127.0.0.1:8080}",
            description = "The server's address (env LETHE_URL, default http://127.0.0.1:8080).")
    String url;

    @Option(
            names = "--key",
            defaultValue = "${env:LETHE_KEY}",
            description = "An admin key of the account (env LETHE_KEY).")
    String key;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Read the key from this file instead.")
    Path keyFile;

    private HttpClient client;

    /** The key given, read from its file, or the environment's; never empty. */
    String key(String whatFor) {
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
            throw new SettingException("give a key: --key / LETHE_KEY (" + whatFor + "), or --key-file FILE");
        return key.strip();
    }

    /** The server's address for this path and query ({@code /v1/...}). */
    URI uri(String pathAndQuery) {
        String base = url == null ? "" : url.strip().replaceAll("/+$", "");
        try {
            var uri = new URI(base + pathAndQuery);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null)
                throw new URISyntaxException(base, "not an http(s) URL");
            return uri;
        } catch (URISyntaxException e) {
            throw new SettingException("--url / LETHE_URL must be the server's http:// or https:// address (such as"
                    + " http://127.0.0.1:8080), not '" + url + "'");
        }
    }

    /** A request to the server with the key, JSON accepted. */
    HttpRequest.Builder request(String pathAndQuery, String secret) {
        return HttpRequest.newBuilder(uri(pathAndQuery))
                .header("Authorization", "Bearer " + secret)
                .header("Accept", "application/json");
    }

    /** POSTs JSON; no request timeout (a live sweep of a large account takes as long as it takes). */
    HttpResponse<String> postJson(String pathAndQuery, String secret, String body) {
        return send(
                request(pathAndQuery, secret)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** POSTs a file as it is read (never held in memory), with this content type. */
    HttpResponse<String> postFile(String pathAndQuery, String secret, Path file, String contentType) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new SettingException("no such file: " + file);
        }
        return send(
                request(pathAndQuery, secret)
                        .header("Content-Type", contentType)
                        .POST(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String pathAndQuery, String secret) {
        return send(
                request(pathAndQuery, secret).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A GET whose body is read as it arrives (a download). */
    HttpResponse<InputStream> download(String pathAndQuery, String secret) {
        return send(
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .header("Authorization", "Bearer " + secret)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        if (client == null)
            client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        URI endpoint = request.uri();
        String server = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        try {
            return client.send(request, handler);
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

    /** The answer as JSON, or null when it is not JSON. */
    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The server's refusal: its title and status, each field error with its path, and what a 401
     * or 403 means for the key ({@code keyHint} says which key the command takes).
     */
    static void problem(int status, JsonNode answer, PrintWriter err, String keyHint) {
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
            err.println("  the key was not accepted: give " + keyHint + " with --key / LETHE_KEY or --key-file");
        if (status == 403) err.println("  this key may not do this: it takes " + keyHint);
    }
}
