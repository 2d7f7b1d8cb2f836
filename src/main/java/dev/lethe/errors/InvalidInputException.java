package dev.lethe.errors;

import java.util.List;

/** The input was understood but is not acceptable; nothing was changed. HTTP 422. */
public final class InvalidInputException extends LetheException {

    public InvalidInputException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
