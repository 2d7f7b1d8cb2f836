package dev.lethe.cli;

import dev.lethe.errors.LetheException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Error messages that name both ways of setting what was wrong: the flag and its environment
 * variable (a bad LETHE_PORT is reported as "--port / LETHE_PORT").
 */
final class EnvironmentAwareErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e.getArgSpec() instanceof OptionSpec option) {
            String env = Options.environmentVariable(option);
            if (env != null)
                message += " (set by " + option.longestName() + " or the environment variable " + env + ")";
        }
        err.println("lethe: " + message);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
        return 2;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof SettingException s) {
            err.println("lethe: " + s.getMessage());
            return 2;
        }
        if (e instanceof LetheException l) {
            err.println("lethe: " + l.getMessage());
            l.errors()
                    .forEach(fe ->
                            err.println("  " + (fe.path().isEmpty() ? "(document)" : fe.path()) + ": " + fe.message()));
            return 1;
        }
        err.println("lethe: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        for (Throwable c = e.getCause(); c != null; c = c.getCause())
            err.println("  caused by " + c.getClass().getSimpleName() + ": " + c.getMessage());
        return 1;
    }
}
