package dev.lethe.crypto;

/**
 * A data subject's key no longer exists (crypto-shredded): every value encrypted under it is
 * unreadable for good, except categories a legal hold keeps. Callers treat the data as gone.
 */
public final class SubjectKeyDestroyed extends RuntimeException {

    /** {@code keyOrSubjectId}: the key a value names, or the subject a value was to be sealed for. */
    public SubjectKeyDestroyed(String accountId, String keyOrSubjectId) {
        super("the key of " + keyOrSubjectId + " in account " + accountId + " was destroyed");
    }
}
