package dev.lethe.requests;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The rights a data subject exercises through a request (GDPR Art. 15-18, 20, 21). */
public enum RequestType {
    ACCESS("access"),
    ERASURE("erasure"),
    RECTIFICATION("rectification"),
    RESTRICTION("restriction"),
    OBJECTION("objection"),
    PORTABILITY("portability");

    private final String wireName;

    RequestType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RequestType> fromWire(String text) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(text)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(RequestType::wireName).toList();
    }

    /** Whether the request is answered with a package of the person's data. */
    public boolean answeredWithPackage() {
        return this == ACCESS || this == PORTABILITY;
    }
}
