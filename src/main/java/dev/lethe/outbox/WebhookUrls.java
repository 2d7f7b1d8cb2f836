package dev.lethe.outbox;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a webhook may go: an http(s) URL whose host resolves to public addresses only, unless the
 * server allows private ones ({@code --webhooks-allow-private}). Checked when a webhook is made and
 * again at every delivery, so an admin cannot make the server call its own network (SSRF): not
 * loopback, private (RFC 1918, fc00::/7), link-local (cloud metadata at 169.254.169.254), shared
 * (100.64/10), unspecified or multicast. At delivery the check runs inside the HTTP client's name
 * resolution ({@link WebhookSender}), so the addresses checked are the ones connected to. The
 * reasons given never quote the URL.
 */
public final class WebhookUrls {

    /** The longest URL accepted. */
    public static final int MAX_LENGTH = 2000;

    static final String DOES_NOT_RESOLVE = "names a host that does not resolve";

    private WebhookUrls() {}

    /** Why this URL is refused, or empty when it may be called (resolving its host now). */
    public static Optional<String> problem(String url, boolean allowPrivate) {
        var shape = shapeProblem(url);
        if (shape.isPresent()) return shape;
        try {
            return addressProblem(InetAddress.getAllByName(URI.create(url).getHost()), allowPrivate);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.of(DOES_NOT_RESOLVE);
        }
    }

    /** What is wrong with the URL itself, without resolving its host. */
    static Optional<String> shapeProblem(String url) {
        if (url.length() > MAX_LENGTH) return Optional.of("must be at most " + MAX_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) return Optional.of("must be an http or https URL");
        if (uri.getHost() == null || uri.getHost().isBlank()) return Optional.of("must name a host");
        if (uri.getRawUserInfo() != null) return Optional.of("must not carry a user name or password");
        if (uri.getRawFragment() != null) return Optional.of("must not have a fragment");
        return Optional.empty();
    }

    /** Why a host answering these addresses may not be called: all must be public unless allowed. */
    static Optional<String> addressProblem(InetAddress[] addresses, boolean allowPrivate) {
        if (addresses.length == 0) return Optional.of(DOES_NOT_RESOLVE);
        if (allowPrivate) return Optional.empty();
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                return Optional.of("resolves to a loopback, private or link-local address, which webhooks may not call"
                        + " (--webhooks-allow-private / LETHE_WEBHOOKS_ALLOW_PRIVATE)");
            }
        }
        return Optional.empty();
    }

    /** The URL without its query and fragment: what a list or log may show. */
    public static String withoutQuery(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', '#'}) {
            int at = url.indexOf(c);
            if (at >= 0 && at < cut) cut = at;
        }
        return url.substring(0, cut);
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress()
                || a.isAnyLocalAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) return false;
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) return false; // "this network"
            if (first == 100 && second >= 64 && second < 128) return false; // shared address space
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) return false; // IETF protocol assignments
            if (first >= 240) return false; // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return false; // unique local fc00::/7
            int w0 = word(b, 0), w1 = word(b, 2);
            if (w0 == 0x2001 && w1 == 0) return false; // Teredo 2001::/32: a tunnel to any IPv4 address
            if (w0 == 0x64 && w1 == 0xff9b && word(b, 4) == 1) return false; // local-use NAT64 64:ff9b:1::/48
            if (w0 == 0x100 && w1 == 0 && word(b, 4) == 0 && word(b, 6) == 0) return false; // discard-only 100::/64
            // addresses that carry an IPv4 address are judged by it: IPv4-mapped ::ffff:a.b.c.d,
            // IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d (a network translating them reaches
            // that address) and 6to4 2002:aabb:ccdd::/48
            boolean zeroTo10 = true;
            for (int i = 0; i < 10; i++) zeroTo10 &= b[i] == 0;
            boolean nat64 = w0 == 0x64 && w1 == 0xff9b;
            for (int i = 4; nat64 && i < 12; i++) nat64 = b[i] == 0;
            if (zeroTo10 && word(b, 10) == 0xffff || zeroTo10 && word(b, 10) == 0 || nat64)
                return isPublicV4(b[12], b[13], b[14], b[15]);
            if (w0 == 0x2002) return isPublicV4(b[2], b[3], b[4], b[5]);
        }
        return true;
    }

    private static int word(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static boolean isPublicV4(byte b0, byte b1, byte b2, byte b3) {
        try {
            return isPublic(InetAddress.getByAddress(new byte[] {b0, b1, b2, b3}));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
