package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.FieldError;
import dev.lethe.jobs.Job;
import dev.lethe.transfer.BulkDeletionReceipt;
import dev.lethe.transfer.BulkDeletions;
import dev.lethe.transfer.IdentifierFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Bulk deletion over HTTP: a file of identifiers streamed into a job, and the job's one receipt. */
final class BulkDeletionRoutes {

    private final BulkDeletions bulk;

    BulkDeletionRoutes(BulkDeletions bulk) {
        this.bulk = bulk;
    }

    /** The JSON form of the file (documentation: the body is streamed, never held whole). */
    record IdentifierList(List<Map<String, String>> identifiers) {}

    void register(Api api) {
        api.route(POST, "/v1/bulk-deletions")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Erase many people as a job: a CSV (text/csv, RFC 4180; one column whose header names the kind: email, phone, externalId or profileId; a UTF-8 BOM and CRLF are taken) or a JSON list {\"identifiers\": [{\"email\": \"...\"}, {\"profileId\": \"...\"}]}, of any length (no cap; at most the largest upload the server takes). The file is streamed into a file sealed under the job's key and read through before the job is queued: a wrong header or JSON opening is 400 with no job made, a file malformed further on is 422 and its job fails with nobody erased. Each person is erased exactly as an erasure request erases them; identifiers that name nobody are the job's errors (row and column, never the value). Answers 202 with the job (Location: /v1/jobs/{id}); GET /v1/bulk-deletions/{id}/receipt gives the one receipt")
                .streams(IdentifierFile.CSV, IdentifierFile.JSON)
                .body(IdentifierList.class)
                .returns(202)
                .answers(Job.class)
                .problem(413, "the file is larger than the server's largest upload (--max-upload-bytes)")
                .problem(422, "the file is malformed past its start: its job failed and nobody was erased")
                .handle((ctx, caller) -> {
                    String type = RequestBody.mediaType(ctx);
                    Job job;
                    try {
                        job = bulk.submit(
                                caller,
                                type,
                                ctx.req().getContentLengthLong(),
                                ctx.req().getInputStream());
                    } catch (IOException e) {
                        throw new BadRequestException(
                                "The upload did not finish.", List.of(new FieldError("body", "could not be read")));
                    } catch (BulkDeletions.TooLarge e) {
                        Problems.write(
                                ctx,
                                413,
                                "The file is larger than this server accepts: at most " + e.max() + " bytes.",
                                List.of(new FieldError("body", "is larger than " + e.max() + " bytes")));
                        return;
                    }
                    ctx.header("Location", "/v1/jobs/" + job.id());
                    ctx.status(202).json(job);
                });
        api.route(GET, "/v1/bulk-deletions/{id}/receipt")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "The one receipt of a bulk deletion: its state, how many people it erased, identifiers that named nobody, people erased before it, repeats of a person it erased; per table the rows its erasures removed, summed; categories legal holds and rules after: erased kept; when it started and finished. Counts so far while it runs or after a cancel. Ids and counts only")
                .answers(BulkDeletionReceipt.class)
                .handle((ctx, caller) ->
                        ctx.json(bulk.receipt(caller, Json.idPath(ctx, "id", "No such bulk deletion."))));
    }
}
