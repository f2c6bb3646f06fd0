package io.epochflux.cli;

import io.epochflux.report.ProgressPrinter;
import io.epochflux.report.Charts;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

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

    /**
     * Checks {@code --out} before anything runs: it is created, and a file is created in it and
     * deleted, so that a path under a file, on a read-only or special file system, or without
     * permission fails now and says why, not after the whole run.
     */
    void check(CommandSpec spec) {
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw Usage.error(spec, "--out must be a directory, but " + out + " is a file");
        }
        if (out != null) {
            try {
                Files.createDirectories(out);
                Files.delete(Files.createTempFile(out, ".epochflux-write-check", ".tmp"));
            } catch (IOException e) {
                throw Usage.error(spec, "--out must be a directory that can be created and written, but " + out
                        + " cannot: " + Usage.reason(e)
                        + (e instanceof FileSystemException f && f.getFile() != null && !f.getFile().equals(out.toString())
                        ? " (" + f.getFile() + ")" : ""));
            }
            // Java2D cannot start during a Ctrl-C shutdown, when the chart may still have to be drawn
            CompletableFuture.runAsync(Charts::warmUp);
        }
    }
}
