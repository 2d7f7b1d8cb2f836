package dev.lethe.requests;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Codes that prove a requester can read the person's email. Only a salted hash is stored. A code
 * is ten characters from an alphabet without look-alikes (about 50 bits), so with a few attempts
 * allowed per code, guessing is hopeless; with the database alone it is still a search of 2^50.
 */
public final class VerificationCodes {

    /** Wrong codes allowed before a new code must be sent. */
    public static final int MAX_ATTEMPTS = 5;

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final int LENGTH = 10;

    private final SecureRandom random;

    public VerificationCodes(SecureRandom random) {
        this.random = random;
    }

    /** A new code, to send; never stored. */
    public String next() {
        var sb = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    /** What is stored of a code: {@code salt:hash}. */
    public String hash(String code) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        String s = Base64.getEncoder().withoutPadding().encodeToString(salt);
        return s + ":" + digest(salt, normal(code));
    }

    /** Whether a code typed by the requester is the one stored (spaces, dashes and case ignored). */
    public static boolean matches(String stored, String typed) {
        int colon = stored.indexOf(':');
        byte[] salt = Base64.getDecoder().decode(stored.substring(0, colon));
        return MessageDigest.isEqual(
                stored.substring(colon + 1).getBytes(StandardCharsets.US_ASCII),
                digest(salt, normal(typed)).getBytes(StandardCharsets.US_ASCII));
    }

    private static String normal(String code) {
        return code.replace(" ", "").replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }

    private static String digest(byte[] salt, String code) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return HexFormat.of().formatHex(sha.digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
