package dev.lethe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lethe}: the command line. Every option also reads an environment variable. */
@Command(
        name = "lethe",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Lethe: a personal-data platform that forgets on time.",
        subcommands = {ServeCommand.class, PolicyCommand.class, AuditCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        LogSetup.configure();
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
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
