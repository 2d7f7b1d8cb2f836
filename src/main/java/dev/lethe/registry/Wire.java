package dev.lethe.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Enum constants as they are written in policy documents: lower_snake_case names. */
final class Wire {

    private Wire() {}

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) if (name(e).equals(text)) return Optional.of(e);
        return Optional.empty();
    }

    static <E extends Enum<E>> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Wire::name).collect(Collectors.joining(", "));
    }
}
