package dev.lethe.http;

import java.util.List;

/**
 * An error answer (RFC 9457 problem details), with every field error at once.
 *
 * @param type always {@code about:blank}: the status and title say what happened
 * @param title what went wrong, in a sentence
 * @param status the HTTP status
 * @param instance the path of the request that failed
 * @param errors where and why: one entry per problem in the input
 */
record Problem(String type, String title, int status, String instance, List<FieldProblem> errors) {

    /**
     * One problem in the input.
     *
     * @param path where: a JSON path into the body ({@code events[3].ts}), a query parameter or a
     *     header name; empty when the whole input is concerned
     * @param message why, and what would be accepted
     */
    record FieldProblem(String path, String message) {}
}
