package io.epochflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Bad usage: the one-line message names the option, the value and the rule; exit code 2. */
final class Usage {

    private Usage() {
    }

    static CommandLine.ParameterException error(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw error(spec, option + " must be >= " + min + ", but was " + value);
        }
    }
}
