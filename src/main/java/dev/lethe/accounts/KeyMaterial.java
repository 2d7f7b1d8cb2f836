package dev.lethe.accounts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * The shape of API keys and ids: {@code lethe_<keyId>_<secret>}. The key id is public (it names
 * the key in the audit log); the secret has 160 random bits and only its SHA-256 is stored. A fast
 * hash is enough because the secret is random, not a password.
 */
public final class KeyMaterial {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final String PREFIX = "lethe_";

    private final SecureRandom random;

    public KeyMaterial(SecureRandom random) {
        this.random = random;
    }

    /** A random id for an account: a version 4 UUID. */
    public String newAccountId() {
        var bytes = new byte[16];
        random.nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        var buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    public String newKeyId() {
        return randomText(12);
    }

    public String newSecret() {
        return randomText(32);
    }

    public static String format(String keyId, String secret) {
        return PREFIX + keyId + "_" + secret;
    }

    /** Splits a presented key into id and secret, if it has the right shape. */
    public static Optional<String[]> parse(String presented) {
        if (presented == null || !presented.startsWith(PREFIX)) return Optional.empty();
        String rest = presented.substring(PREFIX.length());
        int sep = rest.indexOf('_');
        if (sep <= 0 || sep == rest.length() - 1) return Optional.empty();
        return Optional.of(new String[] {rest.substring(0, sep), rest.substring(sep + 1)});
    }

    public static String hash(String secret) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Compares in constant time, so response times do not reveal how much of a hash matched. */
    public static boolean matches(String secret, String storedHash) {
        return MessageDigest.isEqual(
                hash(secret).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    private String randomText(int length) {
        var out = new char[length];
        for (int i = 0; i < length; i++) out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        return new String(out);
    }
}
