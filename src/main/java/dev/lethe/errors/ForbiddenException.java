package dev.lethe.errors;

import java.util.List;

/** The caller is known but may not do this. HTTP 403. */
public final class ForbiddenException extends LetheException {

    public ForbiddenException(String title) {
        super(title, List.of());
    }

    public ForbiddenException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
