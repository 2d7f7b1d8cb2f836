package dev.lethe.activity;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A batch's anonymous counts: messages by channel and status, events by type, new sessions by the
 * kind of their source ("direct", "referral", "search:google", "social:linkedin"). The referrer's
 * URL or host is never counted: either can point at one person. Nor is the campaign: it is a
 * categorised personal value (a campaign name can be made for one person), and counts outlive
 * erasure.
 */
final class Tally {
    private final Map<DailyCount, Long> counts = new LinkedHashMap<>();

    void event(Instant at, String type) {
        add(at, "events", type);
    }

    void message(Instant at, String channel, String status) {
        add(at, "messages_by_channel", channel);
        add(at, "messages_by_status", status == null ? "unknown" : status);
    }

    void session(Instant at, Optional<String> referrer) {
        add(at, "sessions_by_source", referrer.map(Tally::source).orElse("direct"));
    }

    private void add(Instant at, String metric, String dimension) {
        var key = new DailyCount(at.atZone(ZoneOffset.UTC).toLocalDate(), metric, dimension, 0);
        counts.merge(key, 1L, Long::sum);
    }

    List<DailyCount> counts() {
        return counts.entrySet().stream()
                .map(e -> new DailyCount(
                        e.getKey().day(), e.getKey().metric(), e.getKey().dimension(), e.getValue()))
                .toList();
    }

    /** Well-known search engines and social networks, by a word in their host name. */
    private static final List<String> SEARCH =
            List.of("google", "bing", "duckduckgo", "yahoo", "baidu", "yandex", "ecosia", "qwant");

    private static final List<String> SOCIAL = List.of(
            "facebook",
            "instagram",
            "linkedin",
            "twitter",
            "t.co",
            "x.com",
            "reddit",
            "youtube",
            "tiktok",
            "pinterest",
            "mastodon");

    /**
     * The kind of source, never the host itself: a referrer host can be a person's own site.
     * {@code search:<engine>}, {@code social:<network>}, or {@code referral}.
     */
    private static String source(String url) {
        String host;
        try {
            host = URI.create(url.strip()).getHost();
        } catch (IllegalArgumentException e) {
            return "referral";
        }
        if (host == null) return "referral";
        String h = host.toLowerCase(Locale.ROOT);
        for (String engine : SEARCH) if (h.contains(engine)) return "search:" + engine;
        for (String network : SOCIAL) {
            if (h.equals(network) || h.endsWith("." + network) || h.contains(network + ".")) {
                return "social:" + network;
            }
        }
        return "referral";
    }
}
