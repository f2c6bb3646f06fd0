package io.epochflux.cli;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Evaluation;
import io.epochflux.report.ProgressPrinter;
import io.epochflux.report.RunReport;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.Pacing;
import io.epochflux.train.Provenance;
import io.epochflux.train.StopReport;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.TrainingRun;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

/** Runs a plan: trains, evaluates on the test set, and writes the run's files. */
final class Runner {

    /** Keras' {@code evaluate} batch size. */
    static final int TEST_BATCH_SIZE = 32;

    private final MetricsServer metrics;
    private final Interrupt interrupt;
    private final Duration pacing;

    Runner(MetricsServer metrics, Interrupt interrupt, Duration pacing) {
        this.metrics = metrics;
        this.interrupt = interrupt;
        this.pacing = pacing;
    }

    /**
     * What a run produced.
     *
     * @param plan the plan
     * @param history every epoch that ran
     * @param test the test-set evaluation of the final weights
     * @param report what goes into report.json
     * @param error what failed, or null
     */
    record Result(RunPlan plan, History history, Evaluation test, RunReport report, Throwable error) {

        /** @return the best epoch: the stop report's, else the lowest val_loss */
        OptionalInt bestEpoch() {
            OptionalInt reported = history.stop().map(StopReport::bestEpoch).orElse(OptionalInt.empty());
            return reported.isPresent() ? reported : history.argMin("val_loss");
        }
    }

    Result run(RunPlan plan, ProgressPrinter printer) {
        return run(plan, printer, null, null, null);
    }

    /**
     * Trains, evaluates and reports one plan.
     *
     * @param plan the plan
     * @param printer the progress lines
     * @param learningRate a learning-rate operator, placed right below the trainer so that every
     *                     operator below sees each epoch's learning_rate; null for none
     * @param checkpoints keeps checkpoints (or continues from one); null for none
     * @param files the run's files, appended epoch by epoch; null to write none
     * @return what the run produced
     */
    Result run(RunPlan plan, ProgressPrinter printer, Function<Flux<EpochMetrics>, Flux<EpochMetrics>> learningRate,
               CheckpointRun checkpoints, RunFiles files) {
        TrainingRun run = checkpoints != null ? checkpoints.start(plan)
                : plan.trainer().run(plan.model(), plan.split().train(), plan.split().validation());
        Flux<EpochMetrics> epochs = run.epochs();
        if (learningRate != null) {
            // first, on the run's thread: a change it makes applies to the very next epoch
            epochs = epochs.transform(learningRate);
        }
        if (pacing != null) {
            epochs = epochs.transform(Pacing.atLeast(pacing));
        }
        if (plan.rule() != null) {
            epochs = epochs.transform(plan.rule());
        }
        if (checkpoints != null) {
            epochs = epochs.transform(checkpoints::apply);
        }
        if (metrics != null) {
            epochs = epochs.transform(metrics.binder(plan));
        }
        List<EpochMetrics> seen = Collections.synchronizedList(new ArrayList<>());
        if (checkpoints != null) {
            seen.addAll(checkpoints.earlier());
        }
        Throwable error = null;
        try {
            Flux<EpochMetrics> watched = epochs.takeUntilOther(interrupt.signal())
                    .doOnNext(m -> seen.add(m.withoutSnapshot()));
            if (files != null) {
                watched = watched.doOnNext(files::epoch);
            }
            watched.doOnNext(printer).blockLast();
        } catch (RuntimeException e) {
            error = e;
        }
        // an interrupt cancels from this thread: wait until the run has rolled back and let the model go
        RunOutcome outcome = run.outcome().block();
        History history = History.of(seen);
        Dataset test = plan.split().test();
        Evaluation evaluation = plan.model().evaluate(test, TEST_BATCH_SIZE);
        RunReport.Builder report = RunReport.builder(plan.name(), history);
        if (evaluation.task() == io.epochflux.data.Task.REGRESSION) {
            report.testRegression(evaluation.loss(), evaluation.mae(), evaluation.examples());
        } else {
            report.test(evaluation.loss(), evaluation.accuracy(), evaluation.examples());
        }
        report.dataset("train", plan.split().train().name(), plan.split().train().size(), plan.split().train().digest())
                .dataset("validation", plan.split().validation().name(), plan.split().validation().size(),
                        plan.split().validation().digest())
                .dataset("test", test.name(), test.size(), test.digest());
        for (Map.Entry<String, Object> section : plan.configuration().entrySet()) {
            report.configuration(section.getKey(), section.getValue());
        }
        Map<String, Object> provenance = Provenance.current().toMap();
        provenance.put("kernel", plan.model().kernelFor(plan.trainer().batchSize()));
        provenance.put("threads", plan.model().blasThreadsFor(plan.trainer().batchSize()));
        report.provenance(provenance);
        report.weights(outcome.weightsEpoch(), weightsSource(outcome));
        if (error != null) {
            report.error(error.getMessage() == null ? error.toString() : error.getMessage());
        } else if (interrupt.fired() && history.stop().isEmpty()) {
            report.outcome(RunReport.Outcome.INTERRUPTED);
        }
        return new Result(plan, history, evaluation, report.build(), error);
    }

    /** Says why the model holds the weights it does, for report.json. */
    static String weightsSource(RunOutcome outcome) {
        if (outcome.weightsEpoch() == 0) {
            return "initial: no epoch completed";
        }
        if (outcome.restoredFromEpoch().isPresent()) {
            return "restored" + outcome.stop().map(s -> " by " + s.rule()).orElse(" by a stop rule");
        }
        return outcome.kind() == RunOutcome.Kind.CANCELLED || outcome.kind() == RunOutcome.Kind.FAILED
                ? "last completed epoch (the unfinished one rolled back)" : "last epoch";
    }

    /**
     * How a command ends once its files are written: a run's failure is thrown (exit 1), an
     * interrupt gives 130, and with {@code --linger} the metrics stay up until Ctrl-C.
     */
    static int exitCode(List<Result> results, Interrupt interrupt, MetricsServer metrics, boolean linger,
                        java.io.PrintWriter out) throws Exception {
        for (Result r : results) {
            if (r.error() != null) {
                throw r.error() instanceof Exception e ? e : new IllegalStateException(r.error());
            }
        }
        if (interrupt.fired()) {
            return 130;
        }
        if (metrics != null && linger) {
            out.println("Lingering: metrics stay at " + metrics.url() + " until Ctrl-C");
            out.flush();
            interrupt.await();
            return 130;
        }
        return 0;
    }
}
