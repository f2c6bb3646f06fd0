package io.epochflux.stop;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.ModelSnapshot;
import io.epochflux.train.RunLink;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rule written outside the library, through the public seam, with restoring and a saved state. */
class UserRuleTest {

    /**
     * Keeps the weights of the epoch with the lowest training loss and restores them however the
     * stream ends; stops once the loss has not fallen for {@code patience} epochs. Stateful, and
     * its state survives a checkpoint.
     */
    static final class KeepLowestLoss extends StopRule {
        private final int patience;

        KeepLowestLoss(int patience) {
            this.patience = patience;
        }

        @Override
        public String describe() {
            return "KeepLowestLoss(" + patience + ")";
        }

        @Override
        public boolean restoresWeights() {
            return true;
        }

        @Override
        protected Watch newWatch() {
            return new LowestLossWatch(Double.POSITIVE_INFINITY, 0, 0, null);
        }

        @Override
        protected Watch resume(RuleState saved, RunLink link) {
            int epoch = saved.weightsEpoch().orElse(0);
            return new LowestLossWatch(saved.get("lowest"), (int) saved.get("since"), epoch,
                    epoch == 0 ? null : link.snapshotOf(epoch, saved.weights().orElseThrow()));
        }

        private final class LowestLossWatch implements Watch {
            double lowest;
            int since;
            int bestEpoch;
            ModelSnapshot best;
            boolean restored;

            LowestLossWatch(double lowest, int since, int bestEpoch, ModelSnapshot best) {
                this.lowest = lowest;
                this.since = since;
                this.bestEpoch = bestEpoch;
                this.best = best;
            }

            @Override
            public StopReport observe(EpochMetrics epoch) {
                double loss = epoch.value("loss").orElseThrow();
                if (loss < lowest) {
                    lowest = loss;
                    since = 0;
                    bestEpoch = epoch.epoch();
                    best = epoch.snapshot().orElseThrow();
                    return null;
                }
                since++;
                return since < patience ? null : StopReport.builder(StopReason.of("LOSS_STALLED"), epoch.epoch())
                        .rule(describe()).message("loss stalled for " + since + " epochs").build();
            }

            @Override
            public StopReport finish(StopReport report) {
                restore();
                return best == null ? report : report.toBuilder().restoredFromEpoch(bestEpoch)
                        .message(report.message() + "; restored epoch " + bestEpoch).build();
            }

            @Override
            public void end() {
                restore();
            }

            private void restore() {
                if (best != null && !restored) {
                    restored = true;
                    best.restore();
                }
            }

            @Override
            public RuleState save() {
                RuleState.Builder b = RuleState.builder().put("lowest", lowest).put("since", since);
                if (best != null) {
                    b.weights(bestEpoch, best.parameters().orElseThrow());
                }
                return b.build();
            }
        }
    }

    private static final Split SPLIT = TestData.seedSplit();

    private static Sequential model() {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
    }

    private static Trainer trainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.1)).seed(10).build();
    }

    @Test
    void aUserRuleInsideAnyOfRestoresItsWeightsWhenAnotherRuleStops() {
        Sequential model = model();
        KeepLowestLoss keep = new KeepLowestLoss(1_000);
        StopRule rule = StopRule.anyOf(StopWhen.reaches("val_accuracy", 0.0), keep);
        TrainingRun run = trainer(30).run(model, SPLIT.train(), SPLIT.validation());
        History history = run.epochs().transform(rule).as(History::collect).block();
        StopReport report = history.stop().orElseThrow();
        assertEquals(StopReason.TARGET_REACHED, report.reason(), "the target rule decided");
        assertEquals(1, report.epoch());
        assertEquals(1, report.restoredFromEpoch().getAsInt(), "and the user rule restored its best epoch");
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        assertEquals(RunOutcome.Kind.STOPPED_EARLY, outcome.kind());
        assertEquals(report, outcome.stop().orElseThrow(), "the run heard the rule's report");
    }

    @Test
    void aUserRuleRestoresOnCancelBeforeTheModelIsReleased() {
        Sequential model = model();
        KeepLowestLoss keep = new KeepLowestLoss(1_000);
        TrainingRun run = trainer(200).run(model, SPLIT.train(), SPLIT.validation());
        List<EpochMetrics> seen = run.epochs().transform(StopRule.anyOf(keep, StopWhen.nonFinite("loss")))
                .take(12).collectList().block();
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        int lowest = seen.stream().min((a, b) -> Double.compare(a.value("loss").orElseThrow(), b.value("loss").orElseThrow()))
                .orElseThrow().epoch();
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertEquals(lowest, outcome.weightsEpoch(), "the model holds the restored epoch, and the outcome says so");
        Sequential alone = model();
        trainer(lowest).fit(alone, SPLIT.train(), SPLIT.validation()).blockLast();
        assertEquals(alone.snapshot(), model.snapshot());
    }

    private static ModelSnapshot weights(int epoch) {
        return new ModelSnapshot() {
            @Override
            public void restore() {
            }

            @Override
            public java.util.Optional<float[]> parameters() {
                return java.util.Optional.of(new float[] {epoch});
            }

            @Override
            public int epoch() {
                return epoch;
            }
        };
    }

    @Test
    void aResumedStreamDecidesAsTheUninterruptedOne() {
        KeepLowestLoss keep = new KeepLowestLoss(3);
        // a hand-made loss curve: the uninterrupted run stops at epoch 9
        double[] losses = {1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71, 0.74, 0.73, 0.5};
        Flux<EpochMetrics> all = Flux.range(1, losses.length)
                .map(e -> EpochMetrics.of(e, Map.of("loss", losses[e - 1]), weights(e)));
        StopReport whole = all.transform(keep).blockLast().stop().orElseThrow();
        assertEquals(7, whole.epoch());

        RuleStates first = RuleStates.tracking();
        List<RuleStates.Saved>[] saved = new List[1];
        all.take(5).transform(keep).doOnNext(e -> saved[0] = first.save()).contextWrite(first::into).blockLast();
        assertEquals("KeepLowestLoss(3)", saved[0].get(0).rule());
        assertEquals(0.7, saved[0].get(0).state().get("lowest"));
        RuleStates resumed = RuleStates.resuming(saved[0]);
        StopReport after = all.skip(5).transform(keep).contextWrite(resumed::into).blockLast().stop().orElseThrow();
        assertEquals(whole.epoch(), after.epoch());
        assertEquals(whole.message(), after.message());

        RuleStates wrongChain = RuleStates.resuming(List.of(new RuleStates.Saved("EarlyStopping(...)", RuleState.EMPTY)));
        StepVerifier.create(all.transform(keep).contextWrite(wrongChain::into))
                .expectErrorSatisfies(e -> assertTrue(e.getMessage().contains("resume the same chain"), e.getMessage()))
                .verify();
    }

    @Test
    void earlyStoppingsSavedStateHoldsItsBestValueWaitAndBestWeights() {
        Sequential model = model();
        EarlyStopping es = EarlyStopping.builder().patience(40).restoreBestWeights(true).build();
        RuleStates states = RuleStates.tracking();
        List<RuleStates.Saved>[] saved = new List[1];
        List<EpochMetrics> seen = trainer(60).fit(model, SPLIT.train(), SPLIT.validation())
                .transform(es)
                .doOnNext(e -> saved[0] = states.save())
                .contextWrite(states::into)
                .take(8)
                .collectList().block();
        EpochMetrics best = seen.stream().min((a, b) -> Double.compare(a.value("val_loss").orElseThrow(),
                b.value("val_loss").orElseThrow())).orElseThrow();
        RuleState state = saved[0].get(0).state();
        assertEquals(best.value("val_loss").orElseThrow(), state.get("best"));
        assertEquals(best.epoch(), (int) state.get("best_epoch"));
        assertEquals(8 - best.epoch(), (int) state.get("wait"));
        assertEquals(best.epoch(), state.weightsEpoch().getAsInt());
        // the saved weights are that epoch's: the run restored them on cancel, and the model holds them
        assertEquals(java.util.Arrays.toString(model.snapshot().toArray()),
                java.util.Arrays.toString(state.weights().orElseThrow()));
    }
}
