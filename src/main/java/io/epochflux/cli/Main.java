package io.epochflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code epochflux} command line: {@code train}, {@code experiment}, {@code bench}. Exit
 * codes: 0 done, 1 failed at run time, 2 bad usage, 130 interrupted (SIGINT), 143 terminated
 * (SIGTERM; the JVM reports 128 + the signal's number). Every error is one line that
 * names what was wrong; {@code --verbose} adds the stack trace.
 */
@Command(name = "epochflux", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and watch neural networks on the JVM as a reactive stream.",
        subcommands = {TrainCommand.class, ExperimentCommand.class, SweepCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line; tests set its writers and call {@code execute} */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler(Main::failure);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + e.getMessage() + " (see --help)");
        err.flush();
        return 2;
    }

    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message);
        CommandLine.ParseResult own = cl.getParseResult();
        if (own != null && own.hasMatchedOption("--verbose")) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** Reports the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"epochflux " + (v == null ? "(development build)" : v)};
        }
    }
}
