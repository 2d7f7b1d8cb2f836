package dev.lethe.http;

import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.input.Texts;
import dev.lethe.registry.Durations;
import dev.lethe.storage.Timestamps;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The query parameters of one request, read against what its route declares. Every problem is
 * collected — a parameter the route does not declare, one given twice, a NUL character, a value
 * of the wrong type or range — so the answer names them all at once; a parameter at fault reads
 * as absent, so one problem is not reported twice.
 */
final class Query {

    /** What a caller is told when a parameter is given more than once. */
    static final String REPEATED = "given more than once; this parameter takes one value";

    private final Map<String, List<String>> params;
    private final List<Pattern> declared;
    private final List<FieldError> errors = new ArrayList<>();
    private final Set<String> refused = new HashSet<>();

    /** The parameters as sent, checked against the route's declarations. */
    Query(Map<String, List<String>> params, List<RouteDoc.Param> declared) {
        this.params = new LinkedHashMap<>(params);
        // empty pairs ("?a=1&&", a trailing "&") carry nothing
        this.params.computeIfPresent("", (name, values) -> values.stream().allMatch(String::isEmpty) ? null : values);
        var patterns =
                declared.stream().map(p -> Map.entry(p, pattern(p.name()))).toList();
        this.declared = patterns.stream().map(Map.Entry::getValue).toList();
        String names = declared.isEmpty()
                ? "this route takes none"
                : declared.stream().map(RouteDoc.Param::name).collect(Collectors.joining(", "));
        this.params.forEach((name, values) -> {
            var param = patterns.stream()
                    .filter(p -> p.getValue().matcher(name).matches())
                    .map(Map.Entry::getKey)
                    .findFirst();
            if (param.isEmpty()) {
                refuse(name, declared.isEmpty() ? "unknown parameter: " + names : "unknown parameter (" + names + ")");
            } else if (Texts.problem(name).isPresent()
                    || values.stream().anyMatch(v -> Texts.problem(v).isPresent())) {
                refuse(
                        name,
                        Texts.problem(name)
                                .or(() -> values.stream()
                                        .map(Texts::problem)
                                        .flatMap(java.util.Optional::stream)
                                        .findFirst())
                                .orElseThrow());
            } else if (values.size() > 1 && !param.get().repeatable()) {
                refuse(name, REPEATED);
            }
        });
    }

    /**
     * Refuses every parameter whose raw, percent-encoded form is not UTF-8 ({@code tag=%FF}): the
     * server would read it as U+FFFD and match nothing, or store what the caller never sent.
     */
    void requireUtf8(String rawQuery) {
        if (rawQuery == null) return;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!Texts.isUtf8PercentEncoded(pair))
                refuse(
                        Texts.isUtf8PercentEncoded(name)
                                ? java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8)
                                : "",
                        "has a % not followed by two hex digits, or is not UTF-8 once its %-escapes are decoded");
        }
    }

    /** A declared name as a pattern: {@code field.{key}} matches any {@code field.<key>}. */
    private static Pattern pattern(String declared) {
        var out = new StringBuilder();
        var m = Pattern.compile("\\{[^}]+}").matcher(declared);
        int at = 0;
        while (m.find()) {
            out.append(Pattern.quote(declared.substring(at, m.start()))).append(".+");
            at = m.end();
        }
        return Pattern.compile(out.append(Pattern.quote(declared.substring(at))).toString(), Pattern.DOTALL);
    }

    /** The problems found so far. */
    List<FieldError> errors() {
        return List.copyOf(errors);
    }

    void add(FieldError error) {
        errors.add(error);
    }

    void addAll(List<FieldError> more) {
        errors.addAll(more);
    }

    /**
     * What a feature computes from the parameters, or null when it refuses them: its errors join
     * this query's, so they are named together with the others.
     */
    <T> T collect(Supplier<T> work) {
        try {
            return work.get();
        } catch (BadRequestException | InvalidInputException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    /** Throws every problem found, as one 400. */
    void requireValid() {
        if (!errors.isEmpty()) throw new BadRequestException("Bad query parameter.", errors);
    }

    /** The text given, or null when absent or at fault. */
    String text(String name) {
        requireDeclared(name);
        if (refused.contains(name)) return null;
        var values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The {@code cursor} of a paged list: the {@code nextCursor} of the page before, or null for
     * the first page (also when blank, as a client that has no cursor yet may send it).
     */
    String cursor() {
        String v = text("cursor");
        return v == null || v.isBlank() ? null : v;
    }

    /** Every value given (for a repeatable parameter), in order. */
    List<String> texts(String name) {
        requireDeclared(name);
        if (refused.contains(name)) return List.of();
        return List.copyOf(params.getOrDefault(name, List.of()));
    }

    /** Parameters named {@code prefix<key>} (such as {@code field.tier}), by key, in order. */
    Map<String, String> prefixed(String prefix) {
        requireDeclared(prefix + "{key}");
        var out = new LinkedHashMap<String, String>();
        params.keySet().stream()
                .filter(name -> name.startsWith(prefix) && name.length() > prefix.length())
                .forEach(name -> {
                    String v = text(name);
                    if (v != null) out.put(name.substring(prefix.length()), v);
                });
        return out;
    }

    /** A comma-separated list, stripped; null when absent or blank. */
    List<String> list(String name) {
        String v = text(name);
        if (v == null || v.isBlank()) return null;
        return Arrays.stream(v.split(",")).map(String::strip).toList();
    }

    /** A whole number in [min, max]; the fallback when absent or blank (or at fault). */
    int integer(String name, int fallback, int min, int max) {
        Integer n = integer(name, min, max);
        return n == null ? fallback : n;
    }

    /** A whole number in [min, max] that must be given. */
    Integer requiredInteger(String name, int min, int max) {
        if (text(name) == null && !refused.contains(name)) refuse(name, "is required");
        return integer(name, min, max);
    }

    private Integer integer(String name, int min, int max) {
        String v = text(name);
        if (v == null || v.isBlank()) return null;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // named below
        }
        refuse(name, "must be a whole number from " + min + " to " + max);
        return null;
    }

    /** An instant within the years Lethe takes ({@link Timestamps}); null when absent or blank. */
    Instant instant(String name) {
        String v = text(name);
        if (v == null || v.isBlank()) return null;
        var t = Timestamps.parse(v);
        if (t.isEmpty()) refuse(name, Timestamps.EXPECTED);
        return t.orElse(null);
    }

    /** A day (YYYY-MM-DD) within the years Lethe takes; null when absent or blank. */
    LocalDate day(String name) {
        String v = text(name);
        if (v == null || v.isBlank()) return null;
        try {
            var day = LocalDate.parse(v.strip());
            Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            if (!start.isBefore(Timestamps.EARLIEST) && start.isBefore(Timestamps.LATEST)) return day;
        } catch (DateTimeParseException e) {
            // named below
        }
        refuse(name, "must be a day such as 2026-01-31, between the years 1 and 9998");
        return null;
    }

    /** An ISO-8601 period such as P30D; null when absent or blank. */
    Period period(String name) {
        String v = text(name);
        if (v == null || v.isBlank()) return null;
        var p = Durations.parsePeriod(v.strip());
        if (p.isEmpty()) refuse(name, "must be an ISO-8601 period such as P30D");
        return p.orElse(null);
    }

    /** One of the allowed words; null when absent. */
    String oneOf(String name, List<String> allowed) {
        String v = text(name);
        if (v == null) return null;
        if (allowed.contains(v)) return v;
        refuse(
                name,
                "must be " + String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or "
                        + allowed.get(allowed.size() - 1));
        return null;
    }

    /**
     * A route reads only what it declares, so its declarations (and /openapi.json) are complete: a
     * parameter read but not declared would be refused as unknown before it could be read.
     */
    private void requireDeclared(String name) {
        if (declared.stream().noneMatch(p -> p.matcher(name).matches()))
            throw new IllegalStateException("the route reads query parameter '" + name + "' but does not declare it");
    }

    private void refuse(String name, String message) {
        refused.add(name);
        errors.add(new FieldError(name, message));
    }
}
