package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.imports.ImportPreviewPage;
import dev.lethe.imports.Imports;
import dev.lethe.jobs.Job;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Imports over HTTP: the template, an upload (its preview runs), the preview's rows, the commit. */
final class ImportRoutes {

    private final Imports imports;

    ImportRoutes(Imports imports) {
        this.imports = imports;
    }

    private record UploadQuery(String mode) {}

    private record PreviewQuery(int limit, String cursor) {}

    void register(Api api) {
        api.route(GET, "/v1/imports/template.csv")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "The header row of an import file under the policy in force: email, phone, externalId, subjectType, traits.<name> for each trait the policy maps, fields.<key> for each custom field")
                .returns(200, "text/csv")
                .handle((ctx, caller) -> {
                    ctx.contentType("text/csv; charset=utf-8");
                    ctx.header("Content-Disposition", "attachment; filename=\"import-template.csv\"");
                    ctx.result(imports.template(caller));
                });
        api.route(POST, "/v1/imports")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Upload a CSV file of people (RFC 4180; UTF-8, a byte order mark allowed; , or ; separated), as the body (text/csv) or as a form's one part named file (multipart/form-data, any filename; the part's Content-Type text/csv, application/vnd.ms-excel, application/octet-stream or none): it is staged sealed and a preview job classifies every row (create, update, clear, unchanged, error); 202 with the job, whose Location is /v1/jobs/{id}; 413 past the upload limit, and nothing is kept")
                .streams("text/csv", MultipartUpload.MEDIA_TYPE)
                .query(
                        "mode",
                        "ignore-empty (default: an empty cell leaves a value as it is) or clear-empty (an empty cell removes the value held)")
                .returns(202)
                .answers(Job.class)
                .problem(413, "the upload is larger than the server's limit (--max-upload-bytes); nothing was kept")
                .parse((q, caller) -> new UploadQuery(java.util.Optional.ofNullable(q.oneOf("mode", Imports.MODES))
                        .orElse(Imports.IGNORE_EMPTY)))
                .handle((ctx, caller, query) -> {
                    Imports.Upload upload;
                    try {
                        InputStream body = ctx.req().getInputStream();
                        // a form's file part is parsed from the stream as it arrives, never spooled to disk
                        if (RequestBody.mediaType(ctx).equals(MultipartUpload.MEDIA_TYPE))
                            body = openForm(ctx.header("Content-Type"), body);
                        upload = imports.upload(caller, query.mode(), body);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    switch (upload) {
                        case Imports.Upload.Accepted a -> {
                            ctx.status(202);
                            ctx.header("Location", "/v1/jobs/" + a.job().id());
                            ctx.json(a.job());
                        }
                        case Imports.Upload.TooLarge t ->
                            Problems.write(
                                    ctx,
                                    413,
                                    "The upload is larger than this server accepts; nothing was kept.",
                                    List.of(new FieldError(
                                            "body",
                                            "at most " + t.maxBytes()
                                                    + " bytes (--max-upload-bytes / LETHE_MAX_UPLOAD_BYTES)")));
                    }
                });
        api.route(GET, "/v1/imports/{id}/preview")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "An import's preview, row by row in file order: the action (create, update, clear, unchanged, error), the columns it sets or clears by name (never a value), and each error's column and reason; paged by cursor")
                .query("limit", "rows per page, 1.." + Imports.MAX_LIMIT + ", default 100")
                .query("cursor", "the nextCursor of the previous page; null on the last page")
                .answers(ImportPreviewPage.class)
                .parse((q, caller) -> new PreviewQuery(q.integer("limit", 100, 1, Imports.MAX_LIMIT), q.cursor()))
                .handle((ctx, caller, query) -> ctx.json(imports.preview(
                        caller, Json.idPath(ctx, "id", "No such import."), query.limit(), query.cursor())));
        api.route(POST, "/v1/imports/{id}/commit")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Commit a staged import: its valid rows are applied in batches, each whole (a crash resumes after the last batch); rows that were errors in the preview, or became invalid since, are skipped and reported; 202 with the queued job; 409 unless the import is staged")
                .body(RequestRoutes.NoBody.class)
                .returns(202)
                .answers(Job.class)
                .handle((ctx, caller) -> {
                    String id = Json.idPath(ctx, "id", "No such import.");
                    Json.noBody(ctx);
                    var job = imports.commit(caller, id);
                    ctx.status(202);
                    ctx.header("Location", "/v1/jobs/" + job.id());
                    ctx.json(job);
                });
    }

    /**
     * The form's file part as a stream; the first part is read here, before any job exists, so a
     * client that goes away or stalls meanwhile gets the 400 an upload cut short gets, not a 500.
     */
    private static InputStream openForm(String contentType, InputStream request) {
        try {
            return MultipartUpload.open(contentType, request);
        } catch (IOException e) {
            throw new BadRequestException(
                    "The upload could not be read to its end; nothing was kept.",
                    List.of(new FieldError("body", "the body ended before it was complete")));
        }
    }
}
