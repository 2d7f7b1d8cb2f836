package dev.lethe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lethe export -o FILE}: asks a running server for an export ({@code POST /v1/exports}),
 * waits for it, and downloads the CSV through its once-only link into FILE (mode 0600: it holds
 * personal data).
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export profiles (or events, or messages) from a running server into a CSV file, through its once-only"
                    + " download link.",
            "Exit 0 when the file is written, 1 when the server refused it or it failed, 2 when it could not be asked."
        })
final class ExportCommand extends TransferCommand {

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "FILE",
            description = "Where to write the CSV (made with mode 0600; an existing file is replaced).")
    Path output;

    @Option(names = "--kind", defaultValue = "profiles", description = "profiles (default), events or messages.")
    String kind;

    @Option(names = "--segment", paramLabel = "ID", description = "Only the profiles of this saved segment.")
    String segment;

    @Option(
            names = "--columns",
            split = ",",
            paramLabel = "COLUMN",
            description = "The columns, comma-separated (default: the server's default columns for the kind).")
    List<String> columns;

    @Option(names = "--from", paramLabel = "INSTANT", description = "Events or messages from this instant.")
    String from;

    @Option(names = "--to", paramLabel = "INSTANT", description = "Events or messages before this instant.")
    String to;

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover .part file says itself what it is
        }
    }

    @Override
    int run(String secret, JobWatch watch, PrintWriter out, PrintWriter err) {
        var body = Remote.JSON.createObjectNode();
        body.put("kind", kind);
        if (segment != null) body.put("segment", segment);
        if (columns != null) {
            var list = body.putArray("columns");
            columns.forEach(c -> list.add(c.strip()));
        }
        if (from != null) body.put("from", from);
        if (to != null) body.put("to", to);
        Path dir = output.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new SettingException("no such directory: " + dir);
        var created = expect(remote.postJson("/v1/exports", secret, body.toString()), 202, 201);
        String id = created.path("id").asText();
        out.println("export " + id + " asked for");
        var job = watch.follow(id);
        if (!job.path("state").asText().equals("completed")) return exit(job, err, "completed");
        String link = job.path("result").path("download").asText("");
        if (link.isEmpty()) {
            err.println("lethe: export " + id + " completed without a download link");
            return 1;
        }
        // the file that receives personal data exists, readable by its owner only, before the
        // once-only link is used: a file system that cannot say so stops here with the link intact
        Path partial = dir.resolve("." + output.getFileName() + ".part");
        try {
            Files.deleteIfExists(partial);
            Files.createFile(
                    partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            throw new SettingException("cannot make " + output + " readable by its owner only on this file system");
        } catch (IOException e) {
            throw new SettingException("cannot write in " + dir + ": " + e.getMessage());
        }
        var download = remote.download(link, secret);
        if (download.statusCode() != 200) {
            deleteQuietly(partial);
            String text;
            try (var in = download.body()) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw new JobWatch.Refused(download.statusCode(), Remote.json(text));
        }
        try (var in = download.body();
                var file = Files.newOutputStream(
                        partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(file);
        } catch (IOException e) {
            deleteQuietly(partial);
            err.println("lethe: the download of export " + id + " broke off (" + e.getMessage() + "); its link is used"
                    + " up: ask for a new export");
            return 1;
        }
        try {
            try {
                Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            err.println(
                    "lethe: cannot move the export into " + output + " (" + e.getMessage() + "); it is in " + partial);
            return 1;
        }
        out.println("export " + id + ": " + job.path("result").path("rows").asLong() + " rows written to " + output
                + " (the link is used up)");
        return 0;
    }
}
