package dev.lethe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyDiff;
import dev.lethe.registry.PolicyReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lethe policy validate|diff}: work on policy files without a server. */
@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Check and compare policy files.",
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Diff.class})
final class PolicyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints every error with its path; exit 1 when there is any. */
    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check a policy file; prints every error with its path (exit 1 if any).")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "YAML or JSON policy file.")
        Path file;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            var result = read(file, spec.commandLine().getErr());
            if (result == null) return 2;
            if (result.ok()) {
                out.println(file + ": valid (" + result.policy().categories().size() + " categories, "
                        + result.policy().records().size() + " records, "
                        + result.policy().processors().size() + " processors, "
                        + result.policy().cookies().size() + " cookies)");
                return 0;
            }
            out.println(file + ": " + result.errors().size() + " error"
                    + (result.errors().size() == 1 ? "" : "s"));
            result.errors()
                    .forEach(e ->
                            out.println("  " + (e.path().isEmpty() ? "(document)" : e.path()) + ": " + e.message()));
            return 1;
        }
    }

    /** What changed from A to B: sections and retention periods. */
    @Command(
            name = "diff",
            mixinStandardHelpOptions = true,
            description = "Show what changed between two policy files.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "A")
        Path from;

        @Parameters(index = "1", paramLabel = "B")
        Path to;

        @Option(names = "--json", description = "Print the diff as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            var err = spec.commandLine().getErr();
            var a = valid(from, err);
            var b = valid(to, err);
            if (a == null || b == null) return 1;
            var diff = PolicyDiff.between(a, b);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(diff));
                return 0;
            }
            if (diff.isEmpty()) {
                out.println("No differences.");
                return 0;
            }
            diff.sections().forEach((name, section) -> {
                out.println(name + ":");
                section.added().forEach(n -> out.println("  + " + n));
                section.removed().forEach(n -> out.println("  - " + n));
                section.changed().forEach(c -> {
                    out.println("  ~ " + c.name());
                    c.changes()
                            .forEach(ch -> out.println("      " + (ch.path().isEmpty() ? "(value)" : ch.path()) + ": "
                                    + ch.from() + " -> " + ch.to()));
                });
            });
            if (!diff.periods().isEmpty()) {
                out.println("retention periods:");
                diff.periods()
                        .forEach(p -> out.println(
                                "  " + p.path() + ": " + p.from() + " -> " + p.to() + " (" + p.direction() + ")"));
            }
            return 0;
        }

        private static Policy valid(Path file, PrintWriter err) {
            var result = read(file, err);
            if (result == null) return null;
            if (!result.ok()) {
                err.println(file + " is not valid (" + result.errors().size() + " errors); run 'lethe policy validate "
                        + file + "'");
                return null;
            }
            return result.policy();
        }
    }

    static PolicyReader.Result read(Path file, PrintWriter err) {
        try {
            String text = Files.readString(file);
            return PolicyReader.read(text, file.toString().endsWith(".json"));
        } catch (NoSuchFileException e) {
            err.println("lethe: no such file: " + file);
            return null;
        } catch (IOException e) {
            err.println("lethe: cannot read " + file + ": " + e.getMessage());
            return null;
        }
    }
}
