package dev.lethe.requests;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The forms an access package is given in: JSON (portable), CSV files in a zip, readable text. */
public enum PackageFormat {
    JSON("json", "application/json", "json"),
    CSV("csv", "application/zip", "zip"),
    TEXT("text", "text/plain; charset=utf-8", "txt");

    private final String wireName;
    private final String mediaType;
    private final String extension;

    PackageFormat(String wireName, String mediaType, String extension) {
        this.wireName = wireName;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String wireName() {
        return wireName;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The file name a download is saved under. */
    public String fileName(String requestId) {
        return "access-package-" + requestId + "." + extension;
    }

    public static Optional<PackageFormat> fromWire(String text) {
        return Arrays.stream(values()).filter(f -> f.wireName.equals(text)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(PackageFormat::wireName).toList();
    }
}
