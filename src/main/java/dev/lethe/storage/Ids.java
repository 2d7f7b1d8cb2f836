package dev.lethe.storage;

import java.util.random.RandomGenerator;

/**
 * Identifiers for rows: a readable prefix and 80 random bits in lowercase base32
 * ({@code evt_k3j…}). The random source is injected, so tests can fix it.
 */
public final class Ids {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final RandomGenerator random;

    public Ids(RandomGenerator random) {
        this.random = random;
    }

    public String next(String prefix) {
        var out = new char[16];
        long bits = random.nextLong();
        long more = random.nextLong();
        for (int i = 0; i < 12; i++) {
            out[i] = ALPHABET[(int) (bits & 31)];
            bits >>>= 5;
        }
        for (int i = 12; i < 16; i++) {
            out[i] = ALPHABET[(int) (more & 31)];
            more >>>= 5;
        }
        return prefix + "_" + new String(out);
    }
}
