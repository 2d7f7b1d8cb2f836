package dev.lethe.errors;

import java.util.List;

/** The resource does not exist, or belongs to another account. HTTP 404. */
public final class NotFoundException extends LetheException {

    public NotFoundException(String title) {
        super(title, List.of());
    }

    public NotFoundException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
