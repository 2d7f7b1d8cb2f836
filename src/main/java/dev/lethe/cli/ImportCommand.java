package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lethe import FILE}: uploads a CSV to a running server ({@code POST /v1/imports}), waits
 * for its preview and prints it (what would be created, updated, cleared, and every error with
 * its row and column); with {@code --commit} applies it and waits until it is done.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Import profiles from a CSV file (see GET /v1/imports/template.csv) into a running server: preview it,"
                    + " and with --commit apply it.",
            "Exit 0 when the preview (or the import) finished, 1 when the server refused it or it failed,"
                    + " 2 when it could not be asked."
        })
final class ImportCommand extends TransferCommand {

    @Parameters(paramLabel = "FILE", description = "The CSV file (comma or semicolon separated, UTF-8).")
    Path file;

    @Option(
            names = "--mode",
            defaultValue = "ignore-empty",
            description = "ignore-empty (an empty cell leaves the stored value; default) or clear-empty (an empty"
                    + " cell removes it).")
    String mode;

    @Option(names = "--commit", description = "Apply the import after its preview (without it nothing changes).")
    boolean commit;

    @Override
    int run(String secret, JobWatch watch, PrintWriter out, PrintWriter err) {
        if (!mode.equals("ignore-empty") && !mode.equals("clear-empty"))
            throw new SettingException("--mode must be ignore-empty or clear-empty, not '" + mode + "'");
        if (!Files.isReadable(file)) throw new SettingException("cannot read the file " + file);
        var created = expect(remote.postFile("/v1/imports?mode=" + mode, secret, file, "text/csv"), 202, 201);
        String id = created.path("id").asText();
        out.println("import " + id + ": uploaded " + file.getFileName());
        JsonNode job = watch.follow(id);
        if (!job.path("state").asText().equals("staged")) {
            watch.printErrors(job, out);
            return exit(job, err, "completed");
        }
        var preview = job.path("result");
        out.println("preview: " + count(preview, "create") + " to create, " + count(preview, "update")
                + " to update, " + count(preview, "clear") + " to clear, " + count(preview, "unchanged")
                + " unchanged, " + count(preview, "error") + " with errors");
        watch.printErrors(job, out);
        if (!commit) {
            out.println("nothing was changed: run again with --commit, or POST /v1/imports/" + id + "/commit");
            return 0;
        }
        expect(remote.postJson("/v1/imports/" + JobWatch.encode(id) + "/commit", secret, "{}"), 202, 200);
        job = watch.follow(id);
        var result = job.path("result");
        out.println("import " + id + " " + job.path("state").asText() + ": " + count(result, "created")
                + " created, " + count(result, "updated") + " updated, " + count(result, "cleared") + " cleared, "
                + count(result, "unchanged") + " unchanged, "
                + job.path("errors").asLong() + " errors");
        watch.printErrors(job, out);
        return exit(job, err, "completed");
    }

    private static long count(JsonNode result, String name) {
        return result.path(name).asLong();
    }
}
