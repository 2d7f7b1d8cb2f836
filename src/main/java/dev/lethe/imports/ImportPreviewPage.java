package dev.lethe.imports;

import java.util.List;

/** A page of an import's preview, in row order; {@code nextCursor} is null on the last page. */
public record ImportPreviewPage(List<ImportRow> rows, String nextCursor) {}
