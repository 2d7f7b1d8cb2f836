package dev.lethe.errors;

import java.util.List;

/** The body comes in a media type or charset the route does not read. HTTP 415. */
public final class UnsupportedMediaTypeException extends LetheException {

    public UnsupportedMediaTypeException(String title, List<FieldError> errors) {
        super(title, errors);
    }
}
