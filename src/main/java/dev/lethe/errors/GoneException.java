package dev.lethe.errors;

import java.util.List;

/** The resource existed but its data is gone for good (erased, crypto-shredded). HTTP 410. */
public final class GoneException extends LetheException {

    public GoneException(String title) {
        super(title, List.of());
    }
}
