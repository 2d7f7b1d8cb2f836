package dev.lethe.notices;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The formats every notice is printed in. */
public enum NoticeFormat {
    MARKDOWN("text/markdown", "; charset=utf-8", List.of("md", "markdown")),
    HTML("text/html", "; charset=utf-8", List.of("html")),
    JSON("application/json", "", List.of("json"));

    /** Which format wins when a client accepts several equally: JSON for APIs, then a page. */
    private static final List<NoticeFormat> PREFERENCE = List.of(JSON, HTML, MARKDOWN);

    private final String type;
    private final String parameters;
    private final List<String> wireNames;

    NoticeFormat(String type, String parameters, List<String> wireNames) {
        this.type = type;
        this.parameters = parameters;
        this.wireNames = wireNames;
    }

    /** The Content-Type of a notice in this format. */
    public String mediaType() {
        return type + parameters;
    }

    /** Reads the {@code format} query parameter: {@code md} or {@code markdown}, {@code html}, {@code json}. */
    public static Optional<NoticeFormat> fromWire(String text) {
        if (text == null) return Optional.empty();
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        for (NoticeFormat format : values()) if (format.wireNames.contains(wanted)) return Optional.of(format);
        return Optional.empty();
    }

    /**
     * Picks the format an HTTP {@code Accept} header prefers (RFC 9110 §12.5.1): each format takes
     * the quality of the most specific range that matches it, the highest quality wins, and ties go
     * to JSON, then HTML, then Markdown. Empty when the header is absent or accepts none of them.
     */
    public static Optional<NoticeFormat> fromAccept(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isBlank()) return Optional.empty();
        var ranges = MediaRange.parseAll(acceptHeader);
        NoticeFormat best = null;
        double bestQuality = 0;
        for (NoticeFormat format : PREFERENCE) {
            double quality = format.quality(ranges);
            if (quality > bestQuality) {
                best = format;
                bestQuality = quality;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The quality the client gives this format's media type: that of the most specific range. */
    private double quality(List<MediaRange> ranges) {
        double quality = 0;
        int specificity = -1;
        for (MediaRange range : ranges) {
            int s = range.specificityFor(type);
            if (s < 0) continue;
            if (s > specificity || s == specificity && range.quality() > quality) {
                specificity = s;
                quality = range.quality();
            }
        }
        return quality;
    }

    /** One entry of an Accept header: {@code type/subtype;q=0.8}. */
    private record MediaRange(String type, String subtype, double quality) {

        static List<MediaRange> parseAll(String header) {
            return Arrays.stream(header.split(","))
                    .map(MediaRange::parse)
                    .flatMap(Optional::stream)
                    .toList();
        }

        static Optional<MediaRange> parse(String text) {
            String[] parts = text.split(";");
            String[] type = parts[0].strip().toLowerCase(Locale.ROOT).split("/", -1);
            if (type.length != 2 || type[0].isEmpty() || type[1].isEmpty()) return Optional.empty();
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] param = parts[i].strip().split("=", 2);
                if (param.length == 2 && param[0].strip().equalsIgnoreCase("q")) {
                    try {
                        quality = Double.parseDouble(param[1].strip());
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                    if (quality < 0 || quality > 1) return Optional.empty();
                }
            }
            return Optional.of(new MediaRange(type[0].strip(), type[1].strip(), quality));
        }

        /** 2 for an exact match, 1 for {@code type/*}, 0 for {@code *}{@code /*}, -1 for no match. */
        int specificityFor(String mediaType) {
            String[] wanted = mediaType.split("/");
            if (type.equals("*") && subtype.equals("*")) return 0;
            if (!type.equals(wanted[0])) return -1;
            if (subtype.equals("*")) return 1;
            return subtype.equals(wanted[1]) ? 2 : -1;
        }
    }
}
