package dev.lethe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** A small HTTP client for end-to-end tests against a running server on loopback. */
public final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;

    public Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response with its body as text, and as JSON when it is JSON. */
    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + " " + contentType + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    public Response get(String path, String key) {
        return send(request(path, key).GET());
    }

    public Response get(String path, String key, String accept) {
        return send(request(path, key).header("Accept", accept).GET());
    }

    /** A GET whose body is kept as bytes (a zip), with its status and content type. */
    public record Download(int status, String contentType, byte[] body) {}

    public Download download(String path, String key) {
        try {
            var r = client.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Download(
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response delete(String path, String key) {
        return send(request(path, key).DELETE());
    }

    public Response post(String path, String key, String json) {
        return send(request(path, key)
                .expectContinue(large(json))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST with one more request header (Sec-GPC, Origin, ...). */
    public Response post(String path, String key, String json, String header, String value) {
        return send(request(path, key)
                .expectContinue(large(json))
                .header("Content-Type", "application/json")
                .header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST of a body in another media type (a CSV upload). */
    public Response postAs(String path, String key, String contentType, String body) {
        return send(request(path, key)
                .expectContinue(large(body))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response patch(String path, String key, String json) {
        return send(request(path, key)
                .expectContinue(large(json))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, String key, String body, String contentType) {
        return send(request(path, key)
                .expectContinue(large(body))
                .header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * Whether to ask with {@code Expect: 100-continue} before sending the body, as curl does for
     * bodies over 1 KB: a server that refuses the body (413) then answers before it is sent, instead
     * of closing the connection while the client is still writing it.
     */
    private static boolean large(String body) {
        return body.length() > 1024;
    }

    public Response putYaml(String path, String key, String yaml) {
        return put(path, key, yaml, "application/yaml");
    }

    private HttpRequest.Builder request(String path, String key) {
        var b = HttpRequest.newBuilder(URI.create(base + path));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b;
    }

    private Response send(HttpRequest.Builder request) {
        try {
            var r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Optional<String> type = r.headers().firstValue("Content-Type");
            return new Response(r.statusCode(), type.orElse(""), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
