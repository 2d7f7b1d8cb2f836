package dev.lethe.crypto;

/**
 * The data subject's key no longer exists (crypto-shredded): every value encrypted under it is
 * unreadable for good. Callers treat the data as gone.
 */
public final class SubjectKeyDestroyed extends RuntimeException {

    public SubjectKeyDestroyed(String accountId, String subjectId) {
        super("the key of subject " + subjectId + " in account " + accountId + " was destroyed");
    }
}
