package dev.lethe.registry;

import java.time.Period;

/** A cookie or similar tracker the account places, for the cookie notice and consent. */
public record Cookie(String name, String provider, CookieCategory category, Period duration, String purpose) {

    /** A null duration means a session cookie, gone when the browser closes. */
    public boolean isSessionCookie() {
        return duration == null;
    }
}
