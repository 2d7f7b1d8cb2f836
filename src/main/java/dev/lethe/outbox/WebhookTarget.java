package dev.lethe.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * Where one endpoint's (or subscriber's) webhooks go and the secret they are signed with, sealed
 * together under an account key. {@link #toString} shows neither.
 */
public record WebhookTarget(String url, String secret) {

    /** The purpose the account key seals targets under; the value id is the webhook id. */
    static final String SEALED_AS = "webhook";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A new signing secret: 32 random bytes, {@code whsec_} and base64url. */
    public static String newSecret(RandomGenerator random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public byte[] encode() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static WebhookTarget decode(byte[] plain) {
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
