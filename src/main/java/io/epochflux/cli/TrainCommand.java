package io.epochflux.cli;

import io.epochflux.data.Split;
import io.epochflux.data.Task;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.Sequential;
import io.epochflux.nn.Trainable;
import io.epochflux.internal.Format;
import io.epochflux.report.ProgressPrinter;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.StopRule;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code epochflux train}: one run, printed as Keras prints it, with its files. */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Train one network on MNIST-style data and evaluate it on the test set.",
            "Ctrl-C stops the run cleanly and still writes what it has."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed at run time", "2:bad usage", "130:interrupted (Ctrl-C, SIGINT)",
            "143:terminated (SIGTERM)"})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    TableOptions table;

    @Mixin
    ModelOptions model;

    @Mixin
    TrainingOptions training;

    @Mixin
    StopOptions stops;

    @Mixin
    OutputOptions output;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    LearningRateOptions learningRate;

    @Mixin
    CheckpointOptions checkpoints;

    @Mixin
    ThreadOptions threads;

    @Option(names = "--dl4j", paramLabel = "FILE",
            description = {"Train a DL4J network instead of the dense model: a model saved with DL4J's ModelSerializer "
                    + "(.zip, with its updater state) or a configuration written by MultiLayerConfiguration.toJson() or "
                    + "ComputationGraphConfiguration.toJson(). The network's updater is its optimizer, so --optimizer, "
                    + "--lr, --momentum, --nesterov, --hidden and --activation do not apply.",
                "model.zip is then saved in DL4J's format."})
    Path dl4j;

    /** The options that describe the dense model or its optimizer, which a DL4J network brings itself. */
    static final List<String> DENSE_ONLY = List.of("--optimizer", "--lr", "--momentum", "--nesterov", "--hidden", "--activation");

    @Option(names = "--name", paramLabel = "NAME",
            description = "The run's name in reports and metrics (default: patience-N, or no-early-stopping).")
    String name;

    @Override
    public Integer call() throws Exception {
        if (checkpoints.resume != null) {
            return CheckpointRun.resume(spec, checkpoints);
        }
        PrintWriter out = spec.commandLine().getOut();
        metricsOptions.check(spec);
        threads.apply(spec);
        EarlyStopping es = stops.earlyStopping(spec);
        StopRule rule = stops.rule(spec, es);
        Function<Flux<EpochMetrics>, Flux<EpochMetrics>> steering = learningRate.operator(spec);
        ProgressPrinter printer = new ProgressPrinter(out, training.epochs, output.verbosity(), System.console() != null);
        if (dl4j != null) {
            for (String option : DENSE_ONLY) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw Usage.error(spec, option + " must not be given with --dl4j: the DL4J network's own configuration "
                            + "(its layers and updater) sets it, but it was");
                }
            }
        }
        Trainer trainer = training.trainer(spec, printer, dl4j == null);
        if (dl4j == null) {
            model.hiddenUnits(spec);
        }
        Split split = table.given() ? table.load(spec, training.seed) : data.load(spec, training.seed);
        Task task = split.train().task();
        printer.metric(Evaluation.metricName(task));
        Trainable network;
        if (dl4j == null) {
            model.check(spec, split.train().featureCount(), split.train().labelCount(), trainer.batchSize(), 1, task);
            network = null;
        } else {
            network = Dl4jNetworks.load(spec, dl4j);
            try {
                network.checkFits(split.train(), "--dl4j's network");
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, e.getMessage() + " (" + dl4j + ")");
            }
        }
        checkpoints.check(spec, output.out, metricsOptions.minEpochDuration != null);
        // last of the checks, as it creates the directory: every option is checked before training
        output.check(spec);
        metricsOptions.warn(spec, spec.commandLine().getErr());
        if (network == null) {
            network = model.build(spec, split.train().featureCount(), split.train().labelCount(), training.seed, task);
        }
        String runName = name != null ? name : es == null ? "no-early-stopping" : "patience-" + es.patience();
        Map<String, Object> configuration = configuration(network, trainer, es, rule);
        configuration.put("learning_rate_operator", LearningRateOptions.describe(steering));
        table.table().ifPresent(t -> configuration.put("table", tableSection(t, table.standardization().orElseThrow())));
        RunPlan plan = new RunPlan(runName, network, trainer, split, es, rule, configuration);

        try (Interrupt interrupt = new Interrupt();
             MetricsServer metrics = metricsOptions.port == null ? null
                     : MetricsServer.start(metricsOptions.bind, metricsOptions.port)) {
            if (!output.quiet) {
                printHeader(out, plan, metrics);
                if (steering != null) {
                    out.println("  learning rate: " + steering);
                }
            }
            CheckpointRun checkpointRun = CheckpointRun.prepare(spec, checkpoints, output.out, plan,
                    spec.commandLine().getErr()).orElse(null);
            RunFiles files = output.out == null ? null : RunFiles.start(output.out, runName, out,
                    checkpointRun == null ? List.of() : checkpointRun.earlier());
            Runner.Result result;
            try {
                result = new Runner(metrics, interrupt, metricsOptions.minEpochDuration)
                        .run(plan, printer, steering, checkpointRun, files);
            } catch (RuntimeException | Error e) {
                if (files != null) {
                    files.close(); // the report still says running; history.csv keeps every finished epoch
                }
                throw e;
            }
            printSummary(out, result);
            if (files != null) {
                List<Path> written = new java.util.ArrayList<>(files.finish(result));
                if (table.standardization().isPresent()) {
                    // what validation, test and any later prediction must apply to the features, beside model.zip
                    Path file = output.out.resolve("standardization.json");
                    io.epochflux.internal.AtomicFiles.write(file,
                            table.standardization().get().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    written.add(file);
                }
                out.println("Wrote " + written.stream().map(Path::toString).collect(Collectors.joining(", ")));
            }
            out.flush();
            return Runner.exitCode(List.of(result), interrupt, metrics, metricsOptions.linger, out);
        }
    }

    /** The table's section of report.json: where it came from, what it predicts, and how its features were scaled. */
    static Map<String, Object> tableSection(io.epochflux.data.Table t, io.epochflux.data.Standardization z) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", t.labelName());
        m.put("task", t.task().name().toLowerCase(java.util.Locale.ROOT));
        m.put("features", t.featureNames());
        if (!t.classNames().isEmpty()) {
            m.put("classes", t.classNames());
        }
        m.put("dropped_rows", t.droppedRows());
        m.put("standardization", Map.of("means", z.means(), "stds", z.stds()));
        return m;
    }

    static Map<String, Object> configuration(Trainable network, Trainer trainer, EarlyStopping es, StopRule rule) {
        Map<String, Object> c = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", network.describe());
        if (network instanceof Sequential dense) {
            m.put("loss", dense.loss().kerasName());
        } else {
            m.put("engine", network.engine());
        }
        m.put("parameters", network.parameterCount());
        if (network instanceof Sequential dense) {
            m.put("seed", dense.seed());
        }
        c.put("model", m);
        Map<String, Object> t = trainer.describe();
        if (network.ownsOptimizer()) {
            // the trainer's optimizer is not used: the network's updater is
            t.keySet().removeAll(List.of("optimizer", "learning_rate", "momentum", "nesterov", "beta_1", "beta_2", "epsilon"));
            t.put("optimizer", "the network's own updater");
        }
        c.put("trainer", t);
        c.put("early_stopping", StopOptions.describe(es));
        c.put("stop_rule", rule == null ? "none" : rule.describe());
        return c;
    }

    static void printHeader(PrintWriter out, RunPlan plan, MetricsServer metrics) {
        Split s = plan.split();
        out.printf("Training %s (%,d parameters) on %,d examples, validating on %,d, testing on %,d%n",
                plan.model().describe(), plan.model().parameterCount(), s.train().size(), s.validation().size(),
                s.test().size());
        out.printf("  data: %s (sha256 %s)%n", s.train().name(), s.train().digest().substring(0, 12));
        out.printf("  %s, batch %d, up to %d epochs, seed %d; %s; kernel %s%n",
                RunPlan.optimizerOf(plan), plan.trainer().batchSize(),
                plan.trainer().epochs(), plan.trainer().seed(), plan.rule() == null ? "no stop rule" : plan.rule().describe(),
                plan.model().kernelFor(plan.trainer().batchSize()));
        if (metrics != null) {
            out.println("  serving metrics at " + metrics.url());
        }
        out.flush();
    }

    static void printSummary(PrintWriter out, Runner.Result r) {
        r.history().stop().ifPresentOrElse(
                stop -> out.printf("Stopped at epoch %d of %d (%s): %s%n", stop.epoch(), r.plan().trainer().epochs(),
                        stop.reason(), stop.message()),
                () -> out.printf("Ended after %d epochs without a stop report (%s)%n", r.history().size(),
                        r.error() != null ? "failed" : "interrupted"));
        StringBuilder line = new StringBuilder("Test: loss ");
        Format.fixed4(line, r.test().loss()).append(" - ").append(r.test().metricName()).append(' ');
        Format.fixed4(line, r.test().metric());
        out.println(line.append(" (").append(r.test().examples()).append(" examples, batch ")
                .append(Runner.TEST_BATCH_SIZE).append(')'));
    }
}
