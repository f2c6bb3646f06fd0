package io.epochflux.cli;

import io.epochflux.report.ProgressPrinter;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the files go and how much is printed. */
final class OutputOptions {

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write history.csv, report.json, history.png and model.zip here (default: nothing written).")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "Print no line per epoch; only the summary.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print more: run details, progress within long epochs, stack traces of errors.")
    boolean verbose;

    ProgressPrinter.Verbosity verbosity() {
        return quiet ? ProgressPrinter.Verbosity.QUIET : verbose ? ProgressPrinter.Verbosity.VERBOSE
                : ProgressPrinter.Verbosity.NORMAL;
    }
}
