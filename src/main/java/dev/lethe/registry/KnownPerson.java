package dev.lethe.registry;

/**
 * What an identify sent with an ingest key (public by design: anyone who reads the web page has
 * it) may change on a person the account already knows. Keys with the read or admin scope are
 * the account's own and always replace.
 */
public enum KnownPerson {
    /**
     * Identifiers and traits the person does not have yet are added; a value they already have is
     * never replaced, so whoever holds the page's key cannot rewrite a customer's contact data.
     */
    ADD_ONLY,
    /** Every value sent becomes the person's current value, as with the account's own keys. */
    REPLACE;

    public String wireName() {
        return Wire.name(this);
    }
}
