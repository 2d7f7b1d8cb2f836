package dev.lethe.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A real HTTP server on 127.0.0.1 standing for a webhook receiver: it keeps every request it gets
 * and answers with the statuses queued for it, then with {@code otherwise}.
 */
public final class Receiver implements AutoCloseable {

    /** One request received: its headers (lower-case names) and body. */
    public record Received(Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new ArrayList<>();
    private volatile int otherwise;

    public Receiver(int otherwise) throws IOException {
        this.otherwise = otherwise;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            var headers = new java.util.HashMap<String, String>();
            exchange.getRequestHeaders()
                    .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (received) {
                received.add(new Received(headers, body));
            }
            Integer status = answers.poll();
            exchange.sendResponseHeaders(status == null ? this.otherwise : status, -1);
            exchange.close();
        });
        server.start();
    }

    /** Answers these statuses to the next requests, in order. */
    public Receiver answering(Integer... statuses) {
        answers.addAll(List.of(statuses));
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
