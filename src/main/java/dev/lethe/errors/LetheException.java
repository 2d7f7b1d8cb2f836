package dev.lethe.errors;

import java.util.List;

/**
 * An expected failure a caller can act on. Subclasses say which kind; the HTTP layer maps each
 * kind to one status, the CLI to one exit code. Messages never carry personal values.
 */
public abstract sealed class LetheException extends RuntimeException
        permits InvalidInputException,
                NotFoundException,
                ForbiddenException,
                UnauthenticatedException,
                ConflictException,
                BadRequestException,
                GoneException,
                UnsupportedMediaTypeException {

    private final List<FieldError> errors;

    protected LetheException(String title, List<FieldError> errors) {
        super(title);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
