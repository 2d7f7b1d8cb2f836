package dev.lethe.outbox;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends one webhook: a JSON POST with {@code Lethe-Webhook-Id}, {@code Lethe-Event}, {@code
 * Lethe-Timestamp} (Unix seconds) and, when the endpoint has a secret, {@code Lethe-Signature:
 * v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>} (docs/webhooks.md). A 2xx is delivered;
 * anything else, a timeout or a refused connection is a {@link SmtpMailer.DeliveryFailure} described
 * by its kind and status code, never by the URL or the body. Redirects are not followed: a
 * redirect could lead past the address check.
 */
final class WebhookSender {

    private final HttpClient client;
    private final OutboxSettings.Webhooks settings;

    WebhookSender(OutboxSettings.Webhooks settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    void send(String url, String secret, String deliveryId, String event, String body, Instant at)
            throws SmtpMailer.DeliveryFailure {
        var refused = WebhookUrls.problem(url, settings.allowPrivate());
        if (refused.isPresent()) throw new SmtpMailer.DeliveryFailure("the webhook URL " + refused.get());
        String timestamp = Long.toString(at.getEpochSecond());
        var request = HttpRequest.newBuilder(URI.create(url))
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Lethe-Webhooks/1")
                .header("Lethe-Webhook-Id", deliveryId)
                .header("Lethe-Event", event)
                .header("Lethe-Timestamp", timestamp);
        if (secret != null) request.header("Lethe-Signature", "v1=" + signature(secret, timestamp, body));
        HttpResponse<Void> response;
        try {
            response = client.send(
                    request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (HttpConnectTimeoutException e) {
            throw new SmtpMailer.DeliveryFailure("the webhook endpoint did not accept a connection in time");
        } catch (HttpTimeoutException e) {
            throw new SmtpMailer.DeliveryFailure("the webhook endpoint did not answer in time");
        } catch (ConnectException e) {
            throw new SmtpMailer.DeliveryFailure("cannot connect to the webhook endpoint");
        } catch (IOException e) {
            throw new SmtpMailer.DeliveryFailure(
                    "the webhook exchange failed (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmtpMailer.DeliveryFailure("the webhook delivery was interrupted");
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new SmtpMailer.DeliveryFailure("the webhook endpoint answered " + status);
        }
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body} under the secret's UTF-8 bytes. */
    static String signature(String secret, String timestamp, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
