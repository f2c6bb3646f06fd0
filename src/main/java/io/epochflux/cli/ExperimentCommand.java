package io.epochflux.cli;

import io.epochflux.data.Split;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.internal.Format;
import io.epochflux.nn.Sequential;
import io.epochflux.report.Charts;
import io.epochflux.report.ProgressPrinter;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.History;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code epochflux experiment}: the Keras early-stopping tutorial's three runs side by side (no
 * early stopping, patience 0, patience 30), each its own stream, run concurrently; a comparison
 * table; each run's files; an overlay of their val_loss.
 */
@Command(name = "experiment", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Rerun the seed experiment: runs with and without early stopping, side by side.",
            "The same network is trained without early stopping and with EarlyStopping(patience=P) for each P,",
            "concurrently; a comparison table is printed, and each run's history.csv, report.json, history.png",
            "and model.zip, val_loss.png and results.md are written into --out."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed at run time", "2:bad usage", "130:interrupted (Ctrl-C, SIGINT)",
            "143:terminated (SIGTERM)"})
final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Mixin
    TrainingOptions training;

    @Option(names = "--patience", paramLabel = "P", split = ",", defaultValue = "0,30",
            description = "The early-stopping runs' patience values (default: ${DEFAULT-VALUE}); a run without early"
                    + " stopping always comes first.")
    List<Integer> patience = new ArrayList<>();

    @Option(names = "--parallel", paramLabel = "N",
            description = "Runs at a time (default: the processor count).")
    Integer parallel;

    @Mixin
    OutputOptions output;

    @Mixin
    MetricsOptions metricsOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        metricsOptions.check(spec);
        int parallelism = parallel == null ? Runtime.getRuntime().availableProcessors() : parallel;
        Usage.atLeast(spec, "--parallel", parallelism, 1);
        for (int p : patience) {
            Usage.atLeast(spec, "--patience", p, 0);
        }
        // each run's folder is named after its patience: a repeated value would write two runs into one
        if (new java.util.HashSet<>(patience).size() != patience.size()) {
            throw Usage.error(spec, "--patience values must be distinct, but was " + patience.stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(",")));
        }
        ProgressPrinter base = new ProgressPrinter(out, training.epochs, output.verbosity(), false);
        model.hiddenUnits(spec);
        Split split = data.load(spec, training.seed);
        model.check(spec, split.train().featureCount(), split.train().labelCount(), training.batchSize,
                patience.size() + 1);
        // last of the checks, as it creates the directory: every option is checked before training
        output.check(spec);
        metricsOptions.warn(spec, spec.commandLine().getErr());
        List<RunPlan> plans = new ArrayList<>();
        List<ProgressPrinter> printers = new ArrayList<>();
        List<Integer> settings = new ArrayList<>();
        settings.add(null);
        settings.addAll(patience);
        for (Integer p : settings) {
            String name = p == null ? "no-early-stopping" : "patience-" + p;
            ProgressPrinter printer = base.forOneOfSeveral(String.format("[%-17s] ", name),
                    output.verbose ? 1 : Math.max(1, training.epochs / 6));
            Trainer trainer = training.trainer(spec, null);
            EarlyStopping es = p == null ? null : EarlyStopping.builder().patience(p).build();
            Sequential network = model.build(spec, split.train().featureCount(), split.train().labelCount(), training.seed);
            plans.add(new RunPlan(name, network, trainer, split, es, es,
                    TrainCommand.configuration(network, trainer, es, es)));
            printers.add(printer);
        }
        long started = System.nanoTime();
        try (Interrupt interrupt = new Interrupt();
             MetricsServer metrics = metricsOptions.port == null ? null
                     : MetricsServer.start(metricsOptions.bind, metricsOptions.port)) {
            if (!output.quiet) {
                out.printf("Seed experiment: %d runs of %s, %d at a time%n", plans.size(), plans.get(0).title()
                        .substring(plans.get(0).name().length() + 2), parallelism);
                if (metrics != null) {
                    out.println("  serving metrics at " + metrics.url());
                }
                out.flush();
            }
            Runner runner = new Runner(metrics, interrupt, metricsOptions.minEpochDuration);
            List<RunFiles> files = new ArrayList<>();
            if (output.out != null) {
                removeStale(output.out, plans, out);
                for (RunPlan plan : plans) {
                    files.add(RunFiles.start(output.out.resolve(plan.name()), plan.name(), out, List.of()));
                }
            }
            List<Runner.Result> results = Flux.range(0, plans.size())
                    .flatMapSequential(i -> Mono.fromCallable(() -> runner.run(plans.get(i), printers.get(i), null, null,
                                    files.isEmpty() ? null : files.get(i)))
                            .subscribeOn(Schedulers.boundedElastic()), parallelism)
                    .collectList()
                    .block();
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            String table = table(results);
            out.println();
            out.print(table);
            out.printf("Wall time of the whole experiment: %.2f s%n", wall.toNanos() / 1e9);
            if (output.out != null) {
                for (int i = 0; i < results.size(); i++) {
                    files.get(i).finish(results.get(i));
                }
                Map<String, History> histories = new LinkedHashMap<>();
                results.forEach(r -> histories.put(r.plan().name(), r.history()));
                Charts.write(Charts.overlay(histories, "val_loss", "val_loss of the seed experiment's runs"),
                        output.out.resolve("val_loss.png"));
                AtomicFiles.write(output.out.resolve("results.md"), markdown(results).getBytes(StandardCharsets.UTF_8));
                out.println("Wrote " + output.out + "/{" + String.join(",", histories.keySet())
                        + "}/{history.csv,report.json,history.png,model.zip}, val_loss.png, results.md");
            }
            out.flush();
            return Runner.exitCode(results, interrupt, metrics, metricsOptions.linger, out);
        }
    }

    /**
     * Clears what an earlier command left in the output directory that this experiment will not
     * write: run folders of other names, and a single run's files at the top level (a {@code train}
     * into the same directory). Says what it removed in one line.
     */
    static void removeStale(Path dir, List<RunPlan> plans, PrintWriter out) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        java.util.Set<String> ours = new java.util.HashSet<>();
        plans.forEach(p -> ours.add(p.name()));
        List<String> removed = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Files.isDirectory(entry) && !ours.contains(name) && RunFiles.holdsARun(entry)) {
                    deleteRunFolder(entry);
                    removed.add(name + "/");
                }
            }
        }
        RunFiles.removeLeftovers(dir);
        for (String file : RunFiles.SET) {
            if (Files.deleteIfExists(dir.resolve(file))) {
                removed.add(file);
            }
        }
        if (!removed.isEmpty()) {
            java.util.Collections.sort(removed);
            out.println("Removed what an earlier run left in " + dir + ": " + String.join(", ", removed));
            out.flush();
        }
    }

    /** Deletes a run folder's set and left-overs, then the folder if nothing else is in it. */
    private static void deleteRunFolder(Path folder) throws java.io.IOException {
        RunFiles.removeLeftovers(folder);
        for (String file : RunFiles.SET) {
            Files.deleteIfExists(folder.resolve(file));
        }
        try (java.util.stream.Stream<Path> rest = Files.list(folder)) {
            if (rest.findAny().isEmpty()) {
                Files.delete(folder);
            }
        }
    }

    /** The columns of the comparison table, in order. */
    static final String[] COLUMNS = {"run", "epochs", "stop", "best epoch", "loss", "val_loss", "test loss", "test accuracy"};

    static List<String[]> rows(List<Runner.Result> results) {
        List<String[]> rows = new ArrayList<>();
        for (Runner.Result r : results) {
            StopReport stop = r.history().stop().orElse(null);
            Map<String, Double> last = r.report().lastEpoch();
            rows.add(new String[] {
                r.plan().name(),
                String.valueOf(r.history().size()),
                stop == null ? "interrupted" : stop.reason().name(),
                r.bestEpoch().isPresent() ? String.valueOf(r.bestEpoch().getAsInt()) : "-",
                fixed(last.getOrDefault("loss", Double.NaN)),
                fixed(last.getOrDefault("val_loss", Double.NaN)),
                fixed(r.test().loss()),
                fixed(r.test().accuracy())});
        }
        return rows;
    }

    private static String fixed(double v) {
        return Format.fixed4(new StringBuilder(), v).toString();
    }

    static String table(List<Runner.Result> results) {
        List<String[]> rows = rows(results);
        int[] width = new int[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
            width[c] = COLUMNS[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, COLUMNS, width);
        for (String[] row : rows) {
            appendRow(sb, row, width);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c];
            boolean left = c == 0 || c == 2;
            String pad = " ".repeat(width[c] - cell.length());
            sb.append(left ? cell + pad : pad + cell).append(c == cells.length - 1 ? "\n" : "  ");
        }
    }

    static String markdown(List<Runner.Result> results) {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", COLUMNS)).append(" |\n|");
        for (int c = 0; c < COLUMNS.length; c++) {
            sb.append(c == 0 || c == 2 ? " --- |" : " ---: |");
        }
        sb.append('\n');
        for (String[] row : rows(results)) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }
}
