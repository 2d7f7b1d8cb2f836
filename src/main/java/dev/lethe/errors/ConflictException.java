package dev.lethe.errors;

import java.util.List;

/** The request conflicts with the current state. HTTP 409. */
public final class ConflictException extends LetheException {

    public ConflictException(String title) {
        super(title, List.of());
    }

    public ConflictException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
