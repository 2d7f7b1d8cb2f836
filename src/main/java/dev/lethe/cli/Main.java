package dev.lethe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code lethe}: the command line. Every option also reads an environment variable. */
@Command(
        name = "lethe",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Lethe: a personal-data platform that forgets on time.",
        subcommands = {
            ServeCommand.class,
            PolicyCommand.class,
            AuditCommand.class,
            SweepCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            DeleteBulkCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        var problem = LogSetup.configure(args, System.getenv());
        if (problem.isPresent()) {
            System.err.println("lethe: " + problem.get());
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setParameterExceptionHandler(new EnvironmentAwareErrors())
                .setExecutionExceptionHandler(new EnvironmentAwareErrors());
    }

    @Spec
    CommandSpec spec;

    /** Prints to the command line's writer, so callers that set one (tests, embedders) get it. */
    // Read before picocli runs (logging must be set up before the first logger exists); declared
    // here so that every command accepts them and --help lists them.
    @Option(
            names = "--log-format",
            scope = ScopeType.INHERIT,
            defaultValue = "${env:LETHE_LOG_FORMAT:-json}",
            description = "json (one object per line) or text (env LETHE_LOG_FORMAT, default json).")
    String logFormat;

    @Option(
            names = "--log-level",
            scope = ScopeType.INHERIT,
            defaultValue = "${env:LETHE_LOG_LEVEL:-INFO}",
            description = "TRACE, DEBUG, INFO, WARN, ERROR or OFF (env LETHE_LOG_LEVEL, default INFO).")
    String logLevel;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
