package io.epochflux.cli;

import io.epochflux.data.Split;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.nn.Activation;
import io.epochflux.report.Charts;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.sweep.Pruner;
import io.epochflux.sweep.SearchSpace;
import io.epochflux.sweep.Sweep;
import io.epochflux.sweep.Trial;
import io.epochflux.sweep.TrialConfig;
import io.epochflux.sweep.TrialEvent;
import io.epochflux.sweep.TrialResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code epochflux sweep}: a grid or random search with pruning, its trials trained as concurrent
 * streams; progress lines, a results table, and the sweep's files. {@code sweep merge} joins the
 * shards of a sweep split across machines.
 */
@Command(name = "sweep", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Search hyper-parameters: every combination of the alternatives (or --random N of them), each a",
            "training run, pruned by --pruner. Each comma-separated value is one alternative; a network with",
            "several hidden layers is written 64-32. Writes trials.csv, best.json, sweep.png, results.md and each",
            "trial's history into --out; --resume continues an interrupted sweep there."},
        subcommands = SweepCommand.Merge.class,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed at run time", "2:bad usage", "130:interrupted (Ctrl-C)"})
final class SweepCommand implements Callable<Integer> {

    /** The pruners the command line offers. */
    enum PrunerName { none, median, sh, asha, hyperband }

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--hidden", paramLabel = "W[-W...]", split = ",", defaultValue = "2",
            description = "Hidden-layer alternatives; 64-32 is two layers (default: ${DEFAULT-VALUE}).")
    List<String> hidden = new ArrayList<>();

    @Option(names = "--activation", paramLabel = "NAME", split = ",", defaultValue = "relu",
            description = "Activation alternatives: relu, sigmoid, tanh, linear (default: ${DEFAULT-VALUE}).")
    List<String> activation = new ArrayList<>();

    @Option(names = "--optimizer", paramLabel = "NAME", split = ",", defaultValue = "sgd",
            description = "Optimizer alternatives: sgd, adam (default: ${DEFAULT-VALUE}).")
    List<String> optimizer = new ArrayList<>();

    @Option(names = "--lr", paramLabel = "RATE", split = ",", defaultValue = "0.01",
            description = "Learning-rate alternatives (default: ${DEFAULT-VALUE}).")
    List<Double> lr = new ArrayList<>();

    @Option(names = "--momentum", paramLabel = "M", split = ",", defaultValue = "0",
            description = "SGD momentum alternatives, 0 <= M < 1 (default: ${DEFAULT-VALUE}).")
    List<Double> momentum = new ArrayList<>();

    @Option(names = "--batch-size", paramLabel = "N", split = ",", defaultValue = "10",
            description = "Batch-size alternatives (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSize = new ArrayList<>();

    @Option(names = "--search-patience", paramLabel = "P", split = ",",
            description = "Early-stopping patience alternatives, searched like the rest (default: --patience for all).")
    List<Integer> searchPatience;

    @Option(names = "--random", paramLabel = "N",
            description = "Draw N combinations at random with --seed instead of the whole grid.")
    Integer random;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "300",
            description = "The most epochs a trial goes to (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "10",
            description = "Seeds the data draw, every trial's weights and shuffling, --random and Hyperband's brackets"
                    + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    StopOptions stops;

    @Option(names = "--pruner", paramLabel = "NAME", defaultValue = "none",
            description = "none, median (Optuna's MedianPruner), sh (synchronous successive halving), asha, hyperband"
                    + " (default: ${DEFAULT-VALUE}).")
    PrunerName pruner;

    @Option(names = "--min-epochs", paramLabel = "N",
            description = "sh, asha, hyperband: the first rung's epoch (default: " + Pruner.DEFAULT_MIN_EPOCHS + ").")
    Integer minEpochs;

    @Option(names = "--reduction-factor", paramLabel = "ETA",
            description = "sh, asha, hyperband: 1/ETA of the trials go on at each rung (default: "
                    + Pruner.DEFAULT_REDUCTION_FACTOR + ").")
    Integer reductionFactor;

    @Option(names = "--startup-trials", paramLabel = "N",
            description = "median: completed trials before pruning starts (default: 5).")
    Integer startupTrials;

    @Option(names = "--warmup-steps", paramLabel = "N",
            description = "median: epochs below N are never pruned (default: 0).")
    Integer warmupSteps;

    @Option(names = "--interval-steps", paramLabel = "N",
            description = "median: epochs between checks (default: 1).")
    Integer intervalSteps;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Trials training at once (default: the training pool's size, the processor count).")
    Integer concurrency;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Run only shard I of N (0-based): the trials whose index is I modulo N. Pruning compares"
                    + " the shard's trials only.")
    String shard;

    @Option(names = "--in-order",
            description = "Start the trials in their own order (default: an order shuffled with --seed, so that ASHA and"
                    + " the median rule do not see one corner of the grid first).")
    boolean inOrder;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "sweep",
            description = "The sweep's name: the sweep label of its meters (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write trials.csv, best.json, sweep.png, results.md and trials/NAME/{history.csv,trial.json}.")
    Path out;

    @Option(names = "--resume", description = "Keep the trials that finished in --out and run the rest.")
    boolean resume;

    @Option(names = {"-q", "--quiet"}, description = "Print only the results, no progress lines.")
    boolean quiet;

    @Option(names = "--verbose", description = "Print every pruning decision in full, and stack traces of errors.")
    boolean verbose;

    @Mixin
    MetricsOptions metricsOptions;

    private static final Pattern SHARD = Pattern.compile("(\\d+)/(\\d+)");
    private static final Pattern WIDTHS = Pattern.compile("\\d+(-\\d+)*");

    /** The settings the command line gives, checked: usage errors exit with 2. */
    record Settings(List<TrialConfig> configs, Pruner pruner, int shardIndex, int shardCount, EarlyStopping es) {
    }

    Settings settings() {
        Usage.atLeast(spec, "--epochs", epochs, 1);
        List<List<Integer>> widths = new ArrayList<>();
        for (String h : hidden) {
            if (!WIDTHS.matcher(h.trim()).matches()) {
                throw Usage.error(spec, "--hidden must be widths >= 1 joined by '-' (such as 64-32), but was '" + h + "'");
            }
            List<Integer> layers = new ArrayList<>();
            for (String w : h.trim().split("-")) {
                int units;
                try {
                    units = Integer.parseInt(w);
                } catch (NumberFormatException e) {
                    units = 0;
                }
                if (units < 1) {
                    throw Usage.error(spec, "--hidden must be widths >= 1 joined by '-' (such as 64-32), but was '" + h + "'");
                }
                layers.add(units);
            }
            widths.add(layers);
        }
        List<Activation> activations = new ArrayList<>();
        for (String a : activation) {
            try {
                Activation act = Activation.fromName(a.trim());
                if (act == Activation.SOFTMAX) {
                    throw new IllegalArgumentException("x");
                }
                activations.add(act);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--activation must be relu, sigmoid, tanh or linear, but was '" + a + "'");
            }
        }
        for (String o : optimizer) {
            if (!o.equals("sgd") && !o.equals("adam")) {
                throw Usage.error(spec, "--optimizer must be sgd or adam, but was '" + o + "'");
            }
        }
        for (double r : lr) {
            if (!(r > 0 && Double.isFinite(r))) {
                throw Usage.error(spec, "--lr must be > 0, but was " + r);
            }
        }
        for (double m : momentum) {
            if (!(m >= 0 && m < 1)) {
                throw Usage.error(spec, "--momentum must be >= 0 and < 1, but was " + m);
            }
        }
        for (int b : batchSize) {
            Usage.atLeast(spec, "--batch-size", b, 1);
        }
        SearchSpace.Builder space = SearchSpace.builder().hidden(widths).activations(activations).optimizers(optimizer)
                .learningRates(lr).momenta(momentum).batchSizes(batchSize);
        EarlyStopping es = stops.earlyStopping(spec);
        if (stops.timeBudget != null) {
            throw Usage.error(spec, "--time-budget applies to train, but this is sweep: drop it");
        }
        if (searchPatience != null) {
            for (int p : searchPatience) {
                Usage.atLeast(spec, "--search-patience", p, 0);
            }
            if (es == null) {
                throw Usage.error(spec, "--search-patience searches early stopping's patience, but --no-early-stopping"
                        + " turns it off: drop one or the other");
            }
            space.patiences(searchPatience);
        }
        SearchSpace s = space.build();
        List<TrialConfig> configs;
        if (random != null) {
            Usage.atLeast(spec, "--random", random, 1);
            configs = s.sample(random, seed);
        } else {
            configs = s.grid();
        }
        int shardIndex = 0;
        int shardCount = 1;
        if (shard != null) {
            Matcher m = SHARD.matcher(shard.trim());
            if (!m.matches() || Long.parseLong(m.group(2)) < 1 || Long.parseLong(m.group(1)) >= Long.parseLong(m.group(2))
                    || m.group(2).length() > 6) {
                throw Usage.error(spec, "--shard must be I/N with 0 <= I < N (such as 0/4), but was '" + shard + "'");
            }
            shardIndex = Integer.parseInt(m.group(1));
            shardCount = Integer.parseInt(m.group(2));
        }
        if (concurrency != null) {
            Usage.atLeast(spec, "--concurrency", concurrency, 1);
        }
        if (resume && out == null) {
            throw Usage.error(spec, "--resume continues the sweep in --out, but no --out was given");
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw Usage.error(spec, "--out must be a directory, but " + out + " is a file");
        }
        return new Settings(configs, pruner(), shardIndex, shardCount, es);
    }

    private Pruner pruner() {
        Map<String, Object> halving = new LinkedHashMap<>();
        halving.put("--min-epochs", minEpochs);
        halving.put("--reduction-factor", reductionFactor);
        Map<String, Object> median = new LinkedHashMap<>();
        median.put("--startup-trials", startupTrials);
        median.put("--warmup-steps", warmupSteps);
        median.put("--interval-steps", intervalSteps);
        boolean rungs = pruner == PrunerName.sh || pruner == PrunerName.asha || pruner == PrunerName.hyperband;
        for (Map.Entry<String, Object> e : halving.entrySet()) {
            if (e.getValue() != null && !rungs) {
                throw Usage.error(spec, e.getKey() + " applies to --pruner sh, asha or hyperband, but the pruner is " + pruner);
            }
        }
        for (Map.Entry<String, Object> e : median.entrySet()) {
            if (e.getValue() != null && pruner != PrunerName.median) {
                throw Usage.error(spec, e.getKey() + " applies to --pruner median, but the pruner is " + pruner);
            }
        }
        int min = minEpochs == null ? Pruner.DEFAULT_MIN_EPOCHS : minEpochs;
        int eta = reductionFactor == null ? Pruner.DEFAULT_REDUCTION_FACTOR : reductionFactor;
        Usage.atLeast(spec, "--min-epochs", min, 1);
        Usage.atLeast(spec, "--reduction-factor", eta, 2);
        if (rungs && min >= epochs) {
            throw Usage.error(spec, "--min-epochs must be < --epochs (" + epochs + ") for a rung to prune at, but was " + min);
        }
        int startup = startupTrials == null ? 5 : startupTrials;
        int warmup = warmupSteps == null ? 0 : warmupSteps;
        int interval = intervalSteps == null ? 1 : intervalSteps;
        Usage.atLeast(spec, "--startup-trials", startup, 0);
        Usage.atLeast(spec, "--warmup-steps", warmup, 0);
        Usage.atLeast(spec, "--interval-steps", interval, 1);
        return switch (pruner) {
            case none -> Pruner.none();
            case median -> Pruner.median(startup, warmup, interval);
            case sh -> Pruner.successiveHalving(min, eta);
            case asha -> Pruner.asha(min, eta);
            case hyperband -> Pruner.hyperband(min, eta);
        };
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        metricsOptions.check(spec);
        Settings s = settings();
        Split split = data.load(spec, seed);
        List<TrialResult> kept = List.of();
        if (resume) {
            kept = SweepFiles.readTrials(out);
        }
        Sweep.Builder b = Sweep.builder(s.configs(), split.train(), split.validation()).name(name).pruner(s.pruner())
                .epochs(epochs).seed(seed).earlyStopping(s.es()).shard(s.shardIndex(), s.shardCount())
                .shuffleStart(!inOrder);
        if (concurrency != null) {
            b.concurrency(concurrency);
        }
        if (!kept.isEmpty()) {
            try {
                b.completed(kept);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--resume must find trials of the same search in " + out + ", but "
                        + e.getMessage().replaceFirst("^completed must hold trials of this search, but ", ""));
            }
        }
        if (out != null) {
            Files.createDirectories(out);
            CompletableFutureHolder.warmUp();
            com.fasterxml.jackson.databind.node.ObjectNode settings = sweepJson(s, sweepTotal(s));
            Path file = out.resolve("sweep.json");
            if (resume && Files.exists(file)) {
                com.fasterxml.jackson.databind.JsonNode before = SweepFiles.JSON.readTree(file.toFile());
                for (String key : List.of("pruner", "epochs", "seed", "train_args", "shard", "trials")) {
                    if (!before.path(key).toString().equals(settings.path(key).toString())) {
                        throw Usage.error(spec, "--resume must continue the same sweep, but " + out + "/sweep.json has "
                                + key + " " + before.path(key) + " and this command " + settings.path(key));
                    }
                }
            }
            AtomicFiles.write(file, SweepFiles.JSON.writeValueAsBytes(settings));
        }
        try (Interrupt interrupt = new Interrupt();
             MetricsServer metrics = metricsOptions.port == null ? null
                     : MetricsServer.start(metricsOptions.bind, metricsOptions.port)) {
            if (metrics != null) {
                b.decorate((trial, stream) -> stream.transform(TrainingMetrics.builder(metrics.registry()).run(trial.name())
                        .sweep(name).retention(Duration.ofDays(3650)).info("config", trial.config().describe()).build()));
            }
            Sweep sweep = b.build();
            List<Integer> rungs = s.pruner().rungEpochs(epochs);
            pw.printf("Sweep %s: %d trials%s, pruner %s%s, up to %d epochs each, %d at a time, seed %d; %s%n", name,
                    sweep.trials().size(), s.shardCount() > 1 ? " (shard " + s.shardIndex() + "/" + s.shardCount() + " of "
                            + s.configs().size() + ")" : "", s.pruner().describe(), rungs.isEmpty() ? "" : " (rungs at epochs "
                            + rungs + ")", epochs, sweep.concurrency(), seed, s.es() == null ? "no early stopping" : s.es().describe());
            if (!kept.isEmpty()) {
                pw.printf("  resuming: %d finished trials kept from %s%n", kept.size(), out);
            }
            if (metrics != null) {
                pw.println("  serving metrics at " + metrics.url());
            }
            pw.flush();
            long started = System.nanoTime();
            List<TrialResult> results = new ArrayList<>();
            AtomicLong trainedEpochs = new AtomicLong();
            Map<Integer, Boolean> resumed = new HashMap<>();
            kept.forEach(r -> resumed.put(r.trial().index(), true));
            int total = sweep.trials().size();
            Throwable error = null;
            try {
                sweep.events().takeUntilOther(interrupt.signal()).doOnNext(e -> {
                    switch (e.kind()) {
                        case STARTED -> {
                            if (!quiet) {
                                pw.printf("[%s] started: %s%n", e.trial().name(), e.trial().config().describe());
                            }
                        }
                        case EPOCH -> trainedEpochs.incrementAndGet();
                        case PRUNED -> {
                            if (!quiet && verbose) {
                                pw.printf("[%s] %s%n", e.trial().name(), e.stop().orElseThrow().message());
                            }
                        }
                        case FINISHED -> {
                            TrialResult r = e.result().orElseThrow();
                            results.add(r);
                            if (!quiet) {
                                pw.printf("[%s] %s after %d epochs: best val_loss %s%s (%d/%d done)%n", r.trial().name(),
                                        resumed.containsKey(r.trial().index()) ? "kept" : r.pruned() ? "pruned" : "finished",
                                        r.epochs(), SweepFiles.fixed(r.bestValLoss()),
                                        r.pruned() ? " at rung " + r.prunedAtRung().getAsInt() : " (" + SweepFiles.stopText(r) + ")",
                                        results.size(), total);
                            }
                            if (out != null && !resumed.containsKey(r.trial().index())) {
                                try {
                                    SweepFiles.writeTrial(out, r);
                                } catch (IOException ex) {
                                    throw new java.io.UncheckedIOException(ex);
                                }
                            }
                        }
                    }
                    pw.flush();
                }).blockLast();
            } catch (RuntimeException e) {
                error = e;
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            results.sort(TrialResult.BEST_FIRST);
            report(pw, results, total, trainedEpochs.get(), wall, rungs, s);
            if (error != null) {
                throw error instanceof Exception ex ? ex : new IllegalStateException(error);
            }
            return interrupt.fired() ? 130 : 0;
        }
    }

    private void report(PrintWriter pw, List<TrialResult> results, int total, long trained, Duration wall,
                        List<Integer> rungs, Settings s) throws IOException {
        long epochsAll = results.stream().mapToLong(TrialResult::epochs).sum();
        long pruned = results.stream().filter(TrialResult::pruned).count();
        pw.println();
        if (!results.isEmpty()) {
            pw.print(SweepFiles.table(results));
        }
        pw.printf(Locale.ROOT, "%d of %d trials finished, %d pruned; %d epochs in all (%d trained now); wall time %.1f s%n",
                results.size(), total, pruned, epochsAll, trained, wall.toNanos() / 1e9);
        if (!results.isEmpty()) {
            TrialResult best = results.get(0);
            pw.printf("Best: %s, val_loss %s at epoch %d: train %s%n", best.trial().name(), SweepFiles.fixed(best.bestValLoss()),
                    best.bestEpoch().orElse(0), String.join(" ", best.trial().config().trainOptions()));
        }
        if (out != null && !results.isEmpty()) {
            SweepFiles.writeCsv(out.resolve("trials.csv"), results);
            SweepFiles.writeBest(out.resolve("best.json"), results.get(0), commonArgs(s));
            Charts.write(SweepChart.chart(results, rungs, "val_loss of sweep " + name + " (" + s.pruner().describe() + ")"),
                    out.resolve("sweep.png"));
            String md = "# Sweep " + name + "\n\npruner " + s.pruner().describe() + "; " + results.size() + " of " + total
                    + " trials; " + epochsAll + " epochs; wall time " + String.format(Locale.ROOT, "%.1f s", wall.toNanos() / 1e9)
                    + "\n\n```\n" + SweepFiles.table(results) + "```\n";
            AtomicFiles.write(out.resolve("results.md"), md.getBytes(StandardCharsets.UTF_8));
            pw.println("Wrote " + out + "/{trials.csv,best.json,sweep.png,results.md,trials/}");
        }
        pw.flush();
    }

    private static int sweepTotal(Settings s) {
        return s.configs().size();
    }

    /** What a resume must match and a merge passes on: the sweep's settings that are not searched. */
    private com.fasterxml.jackson.databind.node.ObjectNode sweepJson(Settings s, int total) {
        com.fasterxml.jackson.databind.node.ObjectNode n = SweepFiles.JSON.createObjectNode();
        n.put("name", name);
        n.put("pruner", s.pruner().describe());
        n.put("epochs", epochs);
        n.put("seed", seed);
        n.put("trials", total);
        n.put("shard", s.shardIndex() + "/" + s.shardCount());
        com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("train_args");
        commonArgs(s).forEach(a::add);
        return n;
    }

    private List<String> commonArgs(Settings s) {
        List<String> a = new ArrayList<>(List.of("--epochs", String.valueOf(epochs), "--seed", String.valueOf(seed)));
        if (data.dataDir != null) {
            a.addAll(List.of("--data-dir", data.dataDir.toString()));
        }
        a.addAll(List.of("--train-size", String.valueOf(data.trainSize), "--val-size", String.valueOf(data.valSize)));
        if (s.es() == null) {
            a.add("--no-early-stopping");
        }
        return a;
    }

    /** Java2D takes a while to start; start it early, off the main thread. */
    static final class CompletableFutureHolder {
        private CompletableFutureHolder() {
        }

        static void warmUp() {
            java.util.concurrent.CompletableFuture.runAsync(Charts::warmUp);
        }
    }

    /** {@code epochflux sweep merge DIR...}: the shards of one sweep as one result. */
    @Command(name = "merge", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Merge the output directories of a sweep's shards (sweep --shard I/N --out DIR) into one:",
                "trials.csv, best.json, sweep.png and results.md over every trial, best first."})
    static final class Merge implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", arity = "1..*", description = "The shards' --out directories.")
        List<Path> dirs = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the merged files go.")
        Path out;

        @Option(names = "--partial", description = "Merge even when shards are missing (they are named, and the trials"
                + " found counted against those expected).")
        boolean partial;

        /** The settings every shard of one sweep shares: all of sweep.json but the shard itself. */
        private static final List<String> SHARED = List.of("name", "pruner", "epochs", "seed", "trials", "train_args");

        @Override
        public Integer call() throws Exception {
            PrintWriter pw = spec.commandLine().getOut();
            checkShards(pw);
            Map<Integer, TrialResult> all = new LinkedHashMap<>();
            Map<Integer, Path> from = new HashMap<>();
            for (Path d : dirs) {
                if (!Files.isDirectory(d.resolve("trials"))) {
                    throw Usage.error(spec, "DIR must be a sweep's --out directory (with trials/), but " + d + " is not one");
                }
                for (TrialResult r : SweepFiles.readTrials(d)) {
                    Path before = from.putIfAbsent(r.trial().index(), d);
                    if (before != null) {
                        throw Usage.error(spec, "DIR must hold disjoint shards, but " + r.trial().name() + " is in both "
                                + before + " and " + d);
                    }
                    all.put(r.trial().index(), r);
                }
            }
            List<TrialResult> results = new ArrayList<>(all.values());
            results.sort(TrialResult.BEST_FIRST);
            if (results.isEmpty()) {
                throw Usage.error(spec, "DIR must hold finished trials, but " + dirs + " hold none");
            }
            Files.createDirectories(out);
            for (TrialResult r : results) {
                SweepFiles.writeTrial(out, r);
            }
            pw.print(SweepFiles.table(results));
            long epochsAll = results.stream().mapToLong(TrialResult::epochs).sum();
            pw.printf("%d trials from %d shards; %d epochs in all%n", results.size(), dirs.size(), epochsAll);
            if (expectedTrials > 0) {
                pw.printf("found %d of the %d trials the sweep has%s%n", results.size(), expectedTrials,
                        results.size() == expectedTrials ? "" : " (" + (expectedTrials - results.size()) + " missing)");
            }
            SweepFiles.writeCsv(out.resolve("trials.csv"), results);
            // the shards ran with the same settings: pass the first one's on to best.json
            List<String> common = new ArrayList<>();
            Path settings = dirs.get(0).resolve("sweep.json");
            if (Files.exists(settings)) {
                SweepFiles.JSON.readTree(settings.toFile()).path("train_args").forEach(a -> common.add(a.asText()));
            }
            SweepFiles.writeBest(out.resolve("best.json"), results.get(0), common);
            Charts.write(SweepChart.chart(results, List.of(), "val_loss of the merged sweep (" + dirs.size() + " shards)"),
                    out.resolve("sweep.png"));
            AtomicFiles.write(out.resolve("results.md"), ("# Merged sweep\n\n```\n" + SweepFiles.table(results) + "```\n")
                    .getBytes(StandardCharsets.UTF_8));
            pw.println("Wrote " + out + "/{trials.csv,best.json,sweep.png,results.md,trials/}");
            pw.flush();
            return 0;
        }

        private long expectedTrials;

        /**
         * Refuses what would merge the wrong things: an --out inside a shard, a shard without its
         * sweep.json, shards of sweeps with other settings or another shard count, a shard given
         * twice, and (without --partial) a missing shard.
         */
        private void checkShards(PrintWriter pw) throws java.io.IOException {
            Path target = out.toAbsolutePath().normalize();
            com.fasterxml.jackson.databind.JsonNode first = null;
            Path firstDir = null;
            java.util.TreeMap<Integer, Path> indices = new java.util.TreeMap<>();
            int count = -1;
            for (Path d : dirs) {
                Path dir = d.toAbsolutePath().normalize();
                if (target.startsWith(dir)) {
                    throw Usage.error(spec, "--out must be outside the shards' directories, but " + out + " is inside " + d);
                }
                Path file = d.resolve("sweep.json");
                if (!Files.isRegularFile(file)) {
                    throw Usage.error(spec, "DIR must be a sweep's --out directory with its sweep.json, but " + d + " has none");
                }
                com.fasterxml.jackson.databind.JsonNode settings = SweepFiles.JSON.readTree(file.toFile());
                if (first == null) {
                    first = settings;
                    firstDir = d;
                } else {
                    for (String key : SHARED) {
                        if (!first.path(key).equals(settings.path(key))) {
                            throw Usage.error(spec, "DIR must hold shards of one sweep, but " + d + " has " + key + " "
                                    + settings.path(key) + " where " + firstDir + " has " + first.path(key));
                        }
                    }
                }
                Matcher m = SHARD.matcher(settings.path("shard").asText("0/1"));
                if (!m.matches()) {
                    throw Usage.error(spec, "DIR's sweep.json must record its shard as I/N, but " + file + " has "
                            + settings.path("shard"));
                }
                int index = Integer.parseInt(m.group(1));
                int n = Integer.parseInt(m.group(2));
                if (count >= 0 && n != count) {
                    throw Usage.error(spec, "DIR must hold shards of one split, but " + d + " is shard " + index + "/" + n
                            + " where " + firstDir + " is of " + count);
                }
                count = n;
                Path before = indices.putIfAbsent(index, d);
                if (before != null) {
                    throw Usage.error(spec, "DIR must hold each shard once, but shard " + index + "/" + n + " is both " + before
                            + " and " + d);
                }
            }
            expectedTrials = first.path("trials").asLong(0);
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!indices.containsKey(i)) {
                    missing.add(i + "/" + count);
                }
            }
            if (!missing.isEmpty()) {
                if (!partial) {
                    throw Usage.error(spec, "DIR must hold every shard of the sweep, but shard " + String.join(", ", missing)
                            + " is missing (give its directory, or --partial to merge what there is)");
                }
                pw.println("merging without shard " + String.join(", ", missing));
            }
        }
    }
}
