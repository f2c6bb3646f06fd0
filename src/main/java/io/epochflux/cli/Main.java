package io.epochflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code epochflux} command line. */
@Command(name = "epochflux", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and watch neural networks on the JVM as a reactive stream.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its code: 0 done, 1 failed at run time, 2 bad usage.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the command line, for tests that capture its output */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
