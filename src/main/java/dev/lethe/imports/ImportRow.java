package dev.lethe.imports;

import java.util.List;

/**
 * What an import's preview found for one data row: the action its commit takes, the names of
 * the columns it changes (never their values), and its errors.
 *
 * @param row the row's number (1 = the first data row after the header)
 * @param action create, update, clear, unchanged or error
 * @param fields the columns the row sets or clears, by name
 * @param errors what is wrong, per column
 */
public record ImportRow(long row, String action, List<String> fields, List<CellError> errors) {

    public ImportRow {
        fields = List.copyOf(fields);
        errors = List.copyOf(errors);
    }

    /** One error of a row: its column ({@code ""} for the whole row) and why; never the value. */
    public record CellError(String column, String reason) {}
}
