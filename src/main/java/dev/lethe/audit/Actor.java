package dev.lethe.audit;

/** Who acts, for the audit log: a key or user id, and the network address they came from. */
public record Actor(String id, String source) {

    public static final Actor SYSTEM = new Actor("system", null);
}
