package dev.lethe.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The web pages (origins, such as {@code https://shop.example}) whose scripts may call the ingest
 * routes from a browser: CORS (the Fetch standard), answered for these exact origins only and only
 * on routes an ingest key may call, since an ingest key is the one key made to ship in a page.
 * Cookies are never allowed ({@code Access-Control-Allow-Credentials} is never sent): Lethe reads
 * its key from the Authorization header, so a page has no reason to send them.
 */
public final class BrowserOrigins {

    /** How long a browser may keep a preflight's answer (Chromium caps it at two hours). */
    static final int PREFLIGHT_MAX_AGE_SECONDS = 3600;

    static final String ALLOWED_HEADERS = "Authorization, Content-Type";

    private static final BrowserOrigins NONE = new BrowserOrigins(Set.of());

    private final Set<String> origins;

    private BrowserOrigins(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    public static BrowserOrigins none() {
        return NONE;
    }

    /**
     * Reads a comma-separated list of origins ({@code https://shop.example,
     * http://localhost:3000}); empty means none. Throws {@link IllegalArgumentException} naming
     * the entry at fault: a wildcard, a path, a query or anything but http(s)://host[:port].
     */
    public static BrowserOrigins parse(String list) {
        if (list == null || list.isBlank()) return NONE;
        var out = new LinkedHashSet<String>();
        for (String entry : list.split(",")) {
            if (entry.isBlank()) continue;
            out.add(origin(entry.strip())
                    .orElseThrow(() -> new IllegalArgumentException("'" + entry.strip()
                            + "' is not an origin: write each as scheme://host[:port], such as https://shop.example,"
                            + " without a path, a wildcard or a trailing slash")));
        }
        return new BrowserOrigins(out);
    }

    /**
     * An origin as browsers send it in the Origin header (scheme and host in lower case, no
     * default port), or empty when the text is not one.
     */
    static Optional<String> origin(String text) {
        if (text.contains("*")) return Optional.empty();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) return Optional.empty();
        if (uri.getHost() == null
                || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) return Optional.empty();
        int port = uri.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
    }

    public boolean isEmpty() {
        return origins.isEmpty();
    }

    public Set<String> origins() {
        return origins;
    }

    /**
     * Runs before a CORS route's handler. A configured origin gets {@code
     * Access-Control-Allow-Origin} on the actual request — errors included, so the page can read
     * them — and its preflight (OPTIONS with Access-Control-Request-Method) is answered here with
     * 204. Any other origin gets no CORS header, and its preflight finds no route.
     */
    void answer(Context ctx, HandlerType routeMethod) {
        // the answer depends on the Origin header, whichever it is: shared caches must keep them apart
        ctx.header("Vary", "Origin");
        String origin = ctx.header("Origin");
        if (origin == null || !origins.contains(origin)) return;
        boolean preflight = ctx.method() == HandlerType.OPTIONS && ctx.header("Access-Control-Request-Method") != null;
        if (!preflight && ctx.method() != routeMethod) return;
        ctx.header("Access-Control-Allow-Origin", origin);
        if (preflight) {
            ctx.header("Access-Control-Allow-Methods", routeMethod.name());
            ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            ctx.header("Access-Control-Max-Age", Integer.toString(PREFLIGHT_MAX_AGE_SECONDS));
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }
}
