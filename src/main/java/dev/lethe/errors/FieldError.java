package dev.lethe.errors;

/** One thing wrong with an input: where (a dotted path, "" for the whole input) and why. */
public record FieldError(String path, String message) implements Comparable<FieldError> {

    @Override
    public int compareTo(FieldError other) {
        int byPath = path.compareTo(other.path);
        return byPath != 0 ? byPath : message.compareTo(other.message);
    }
}
