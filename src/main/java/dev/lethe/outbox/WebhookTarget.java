package dev.lethe.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where one endpoint's webhooks go and the secret they are signed with, sealed together under the
 * account's webhook key. {@link #toString} shows neither.
 */
record WebhookTarget(String url, String secret) {

    /** The purpose the account key seals targets under; the value id is the webhook id. */
    static final String SEALED_AS = "webhook";

    private static final ObjectMapper JSON = new ObjectMapper();

    byte[] encode() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static WebhookTarget decode(byte[] plain) {
        try {
            return JSON.readValue(plain, WebhookTarget.class);
        } catch (IOException e) {
            throw new UncheckedIOException("a webhook target does not read back", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookTarget[sealed]";
    }
}
