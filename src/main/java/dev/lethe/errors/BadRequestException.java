package dev.lethe.errors;

import java.util.List;

/** The request cannot be read (malformed body, bad parameter). HTTP 400. */
public final class BadRequestException extends LetheException {

    public BadRequestException(String title) {
        super(title, List.of());
    }

    public BadRequestException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
