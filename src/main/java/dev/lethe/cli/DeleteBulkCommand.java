package dev.lethe.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lethe delete-bulk FILE}: erases everyone a file names on a running server ({@code POST
 * /v1/bulk-deletions}), each exactly as an erasure request would, and prints the one receipt.
 */
@Command(
        name = "delete-bulk",
        mixinStandardHelpOptions = true,
        description = {
            "Erase every person a file names: a CSV with one identifier per row under a header (email, phone,"
                    + " externalId or profileId), or a JSON file {\"identifiers\": [{\"email\": ...}, ...]}. No cap on"
                    + " the count. Prints the receipt.",
            "Exit 0 when the job completed, 1 when the server refused it or it failed, 2 when it could not be asked."
        })
final class DeleteBulkCommand extends TransferCommand {

    @Parameters(paramLabel = "FILE", description = "The CSV or JSON (.json) file of identifiers.")
    Path file;

    @Override
    int run(String secret, JobWatch watch, PrintWriter out, PrintWriter err) {
        if (!Files.isReadable(file)) throw new SettingException("cannot read the file " + file);
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        var created = expect(
                remote.postFile("/v1/bulk-deletions", secret, file, json ? "application/json" : "text/csv"), 202, 201);
        String id = created.path("id").asText();
        out.println("bulk deletion " + id + ": uploaded " + file.getFileName());
        var job = watch.follow(id);
        var result = job.path("result");
        out.println("bulk deletion " + id + " " + job.path("state").asText() + ": "
                + result.path("erased").asLong() + " erased, "
                + result.path("alreadyErased").asLong()
                + " already erased, " + result.path("notFound").asLong() + " not found");
        watch.printErrors(job, out);
        var receipt = remote.get("/v1/bulk-deletions/" + JobWatch.encode(id) + "/receipt", secret);
        var answer = Remote.json(receipt.body());
        if (receipt.statusCode() == 200 && answer != null) {
            out.println("receipt: rows deleted per table");
            answer.path("tables")
                    .fields()
                    .forEachRemaining(t -> out.println(String.format(
                            Locale.ROOT, "  %-28s %,d", t.getKey(), t.getValue().asLong())));
        }
        return exit(job, err, "completed");
    }
}
