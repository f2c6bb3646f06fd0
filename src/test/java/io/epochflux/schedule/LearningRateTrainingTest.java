package io.epochflux.schedule;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.metrics.MeterNames;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.report.Charts;
import io.epochflux.report.HistoryCsv;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learning-rate operators on real training: the rate they set is the rate the optimizer steps with. */
class LearningRateTrainingTest {

    private static final Split SPLIT = TestData.seedSplit();

    @TempDir
    Path dir;

    private static Sequential model() {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
    }

    private static Trainer.Builder trainer(int epochs, Optimizer optimizer) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(optimizer).seed(10);
    }

    private static float[] weights(EpochMetrics e) {
        return e.snapshot().orElseThrow().parameters().orElseThrow();
    }

    @Test
    void aRateOfZeroFromEpochThreeOnFreezesTheWeights() {
        for (Optimizer optimizer : List.of(Optimizer.sgd(0.01), Optimizer.adam(0.001))) {
            LearningRateSchedule zeroFromThree = LearningRateSchedule.of("zero from 3", (epoch, lr) -> epoch >= 2 ? 0.0 : lr);
            List<EpochMetrics> out = trainer(6, optimizer).snapshots(true).build()
                    .fit(model(), SPLIT.train(), SPLIT.validation())
                    .transform(zeroFromThree)
                    .collectList().block();
            String what = optimizer.name();
            double rate = (float) optimizer.learningRate();
            assertEquals(List.of(rate, rate, 0.0, 0.0, 0.0, 0.0),
                    out.stream().map(e -> e.value("learning_rate").orElseThrow()).toList(), what);
            assertFalse(Arrays.equals(weights(out.get(0)), weights(out.get(1))), what + ": epoch 2 still trains");
            for (int i = 2; i < 6; i++) {
                assertArrayEquals(weights(out.get(1)), weights(out.get(i)), what + ": epoch " + (i + 1) + " changed nothing");
                assertEquals(out.get(1).value("val_loss").orElseThrow(), out.get(i).value("val_loss").orElseThrow(), what);
            }
        }
    }

    @Test
    void anUnchangedRateTrainsExactlyAsNoOperatorAndTheRateFollowsValAccuracy() {
        for (Optimizer optimizer : List.of(Optimizer.sgd(0.01), Optimizer.adam(0.001))) {
            unchangedRate(optimizer);
        }
    }

    private static void unchangedRate(Optimizer optimizer) {
        List<EpochMetrics> plain = trainer(4, optimizer).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .collectList().block();
        List<EpochMetrics> steered = trainer(4, optimizer).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .transform(LearningRateSchedule.of("same", (epoch, lr) -> lr))
                .collectList().block();
        for (int i = 0; i < 4; i++) {
            assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(plain.get(i).values().keySet()));
            assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"),
                    List.copyOf(steered.get(i).values().keySet()));
            for (String m : plain.get(i).values().keySet()) {
                assertEquals(plain.get(i).value(m).orElseThrow(), steered.get(i).value(m).orElseThrow(), optimizer.name() + " " + m);
            }
        }
    }

    @Test
    void aHigherRateFromEpochThreeChangesTheUpdatesFromThere() {
        List<EpochMetrics> base = trainer(4, Optimizer.sgd(0.01)).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .collectList().block();
        List<EpochMetrics> faster = trainer(4, Optimizer.sgd(0.01)).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .transform(LearningRateSchedule.of("x10 from 3", (epoch, lr) -> epoch >= 2 ? 0.1 : 0.01))
                .collectList().block();
        assertEquals(base.get(1).value("val_loss"), faster.get(1).value("val_loss"), "the same through epoch 2");
        assertTrue(Math.abs(base.get(2).value("val_loss").orElseThrow() - faster.get(2).value("val_loss").orElseThrow()) > 1e-6,
                "epoch 3 trains at the new rate");
    }

    /** Plateau and early stopping, chained in a given order, with the batches counted. */
    private static History run(Function<Flux<EpochMetrics>, Flux<EpochMetrics>> chain, AtomicInteger batches) {
        Sequential model = model();
        return trainer(300, Optimizer.sgd(0.01)).batchListener((e, b, n, l, a) -> batches.incrementAndGet()).build()
                .fit(model, SPLIT.train(), SPLIT.validation())
                .transform(chain)
                .as(History::collect)
                .block();
    }

    @Test
    void aPlateauLowersTheRateAndComposesWithEarlyStoppingInEitherOrder() {
        ReduceLROnPlateau plateau = ReduceLROnPlateau.builder().patience(1).factor(0.5).build();
        EarlyStopping es = EarlyStopping.builder().patience(8).restoreBestWeights(true).build();
        AtomicInteger firstBatches = new AtomicInteger();
        AtomicInteger secondBatches = new AtomicInteger();
        History plateauFirst = run(f -> f.transform(plateau).transform(es), firstBatches);
        History stopFirst = run(f -> f.transform(es).transform(plateau), secondBatches);

        StopReport report = plateauFirst.stop().orElseThrow();
        assertEquals("PATIENCE_EXHAUSTED", report.reason().name(), report.message());
        assertEquals(report.epoch() * 70, firstBatches.get(), "no batch after the stop");
        assertEquals(report.epoch(), stopFirst.stop().orElseThrow().epoch(), "the same run in either order");
        assertEquals(secondBatches.get(), firstBatches.get());
        for (int i = 0; i < plateauFirst.size(); i++) {
            assertEquals(plateauFirst.epochs().get(i).values(), stopFirst.epochs().get(i).values(), "epoch " + (i + 1));
        }
        List<Double> rates = new ArrayList<>();
        for (EpochMetrics e : plateauFirst.epochs()) {
            rates.add(e.value("learning_rate").orElseThrow());
        }
        assertEquals((double) 0.01f, rates.get(0));
        assertTrue(new TreeSet<>(rates).size() >= 3, "the rate was lowered at least twice: " + rates);
        for (int i = 1; i < rates.size(); i++) {
            double ratio = rates.get(i) / rates.get(i - 1);
            assertTrue(ratio == 1.0 || Math.abs(ratio - 0.5) < 1e-6, "each change halves the rate: " + rates);
        }
    }

    @Test
    void theRateReachesHistoryCsvTheMetersAndTheChart() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        History history = trainer(3, Optimizer.sgd(0.01)).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .transform(LearningRateSchedule.step(0.5, 1))
                .transform(TrainingMetrics.builder(registry).run("lr").build())
                .as(History::collect).block();
        assertEquals((double) 0.0025f, registry.get(MeterNames.LEARNING_RATE).tags(MeterNames.RUN, "lr").gauge().value());

        Path csv = dir.resolve("history.csv");
        HistoryCsv.write(csv, history);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate", lines.get(0));
        assertTrue(lines.get(2).endsWith("," + (double) 0.005f), lines.get(2));
        assertEquals(history.epochs().get(2).value("learning_rate"),
                HistoryCsv.read(csv).epochs().get(2).value("learning_rate"));

        XYPlot plot = Charts.history(history, "lr").getXYPlot();
        assertEquals("learning rate", plot.getRangeAxis(2).getLabel());
        assertEquals(3, plot.getDataset(2).getItemCount(0));
        History without = trainer(2, Optimizer.sgd(0.01)).build().fit(model(), SPLIT.train(), SPLIT.validation())
                .as(History::collect).block();
        assertNull(Charts.history(without, "plain").getXYPlot().getRangeAxis(2));
    }
}
