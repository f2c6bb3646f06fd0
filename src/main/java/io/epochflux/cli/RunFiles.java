package io.epochflux.cli;

import io.epochflux.report.Charts;
import io.epochflux.report.HistoryCsv;
import io.epochflux.report.RunReport;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's files in its output directory, written so that nothing finished is lost and a reader
 * never takes two runs' files for one.
 *
 * <p>The set is {@code report.json}, {@code history.csv}, {@code history.png} and
 * {@code model.zip}, and {@code report.json} is its manifest. When a run starts, the files of an
 * earlier run in the directory are removed, manifest first, and so are temporary files a killed
 * run left behind; then {@code report.json} says {@code "outcome": "running"}. Every epoch is
 * appended to {@code history.csv} as it arrives (a run killed at any moment keeps every finished
 * epoch). When the run ends, the chart and the model are written (each atomically), and the final
 * {@code report.json} last: a report that does not say {@code running} describes exactly the
 * files beside it.
 */
final class RunFiles implements AutoCloseable {

    /** The files of one run; the manifest first, as it is removed first. */
    static final List<String> SET = List.of("report.json", "history.csv", "history.png", "model.zip");

    private final Path dir;
    private final HistoryCsv.Appender history;

    private RunFiles(Path dir, HistoryCsv.Appender history) {
        this.dir = dir;
        this.history = history;
    }

    /**
     * Takes a directory for a new run: clears an earlier run's set and left-over temporary files
     * (saying so in one line), then writes the running report and starts the history.
     *
     * <p>A run continued from a checkpoint ({@code train --resume}) is the same run: its history
     * starts again from the epochs the checkpoint carries, and the rest is appended.
     *
     * @param dir the run's directory
     * @param run the run's name
     * @param out where to say that an earlier run is replaced
     * @param continued the epochs a resumed run already has, in order; empty for a new run
     * @return the run's files
     * @throws IOException when the directory cannot be prepared
     */
    static RunFiles start(Path dir, String run, PrintWriter out, List<EpochMetrics> continued) throws IOException {
        Files.createDirectories(dir);
        removeLeftovers(dir);
        String earlier = earlierRun(dir);
        if (!continued.isEmpty()) {
            out.println("Continuing the run in " + dir + " after epoch " + continued.get(continued.size() - 1).epoch());
            out.flush();
        } else if (earlier != null) {
            out.println("Replacing the earlier run in " + dir + " (" + earlier + ")");
            out.flush();
        }
        for (String name : SET) {
            Files.deleteIfExists(dir.resolve(name));
        }
        RunReport.builder(run, History.of(List.of())).outcome(RunReport.Outcome.RUNNING).build()
                .write(dir.resolve("report.json"));
        RunFiles files = new RunFiles(dir, HistoryCsv.append(dir.resolve("history.csv")));
        for (EpochMetrics e : continued) {
            files.epoch(e);
        }
        return files;
    }

    /** @return whether the directory holds any file of a run's set */
    static boolean holdsARun(Path dir) {
        for (String name : SET) {
            if (Files.exists(dir.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    private static String earlierRun(Path dir) {
        if (!holdsARun(dir)) {
            return null;
        }
        try {
            RunReport old = RunReport.read(dir.resolve("report.json"));
            return old.run() + ", " + old.outcome().name().toLowerCase(java.util.Locale.ROOT);
        } catch (IOException | RuntimeException e) {
            return "its files without a readable report.json";
        }
    }

    /** Removes the temporary files {@code AtomicFiles} makes ({@code .<name><digits>.tmp}) for the set's files. */
    static void removeLeftovers(Path dir) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                for (String kept : SET) {
                    if (name.startsWith("." + kept)) {
                        stale.add(p);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Appends an epoch to {@code history.csv}; called on the thread that delivers the epoch.
     *
     * @param epoch the epoch
     */
    void epoch(EpochMetrics epoch) {
        try {
            history.append(epoch);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve("history.csv") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Completes the set: the history synced, the chart and the model written, the report last.
     *
     * @param result what the run produced
     * @return the files written
     * @throws IOException when writing fails; the report then still says {@code running}
     */
    List<Path> finish(Runner.Result result) throws IOException {
        history.close();
        Path png = dir.resolve("history.png");
        Charts.write(Charts.history(result.history(), result.plan().title()), png);
        Path model = dir.resolve("model.zip");
        result.plan().model().save(model);
        Path json = dir.resolve("report.json");
        result.report().write(json);
        return List.of(dir.resolve("history.csv"), json, png, model);
    }

    @Override
    public void close() throws IOException {
        history.close();
    }
}
