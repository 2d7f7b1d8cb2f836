package dev.lethe.errors;

import java.util.List;

/** No valid credentials. HTTP 401. */
public final class UnauthenticatedException extends LetheException {

    public UnauthenticatedException(String title) {
        super(title, List.of());
    }

    public UnauthenticatedException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
