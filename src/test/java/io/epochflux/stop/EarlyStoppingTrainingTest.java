package io.epochflux.stop;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import org.junit.jupiter.api.Test;

import io.epochflux.data.Dataset;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping on a real training run: ending the stream stops the trainer. */
class EarlyStoppingTrainingTest {

    @Test
    void stopsTheTrainerAndRestoresTheBestEpochsWeights() throws InterruptedException {
        Split split = TestData.seedSplit();
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
        AtomicInteger batches = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Trainer trainer = Trainer.builder().epochs(3000).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10)
                .batchListener((e, b, n, l, a) -> {
                    batches.incrementAndGet();
                    threads.add(Thread.currentThread().getName());
                })
                .build();
        History history = trainer.fit(model, split.train(), split.validation())
                .transform(EarlyStopping.builder().patience(3).restoreBestWeights(true).build())
                .as(History::collect)
                .block();
        StopReport report = history.stop().orElseThrow();
        assertEquals(StopReason.PATIENCE_EXHAUSTED, report.reason());
        assertTrue(report.epoch() < 3000, "stopped early, at " + report.epoch());
        assertEquals(history.size(), report.epoch());
        assertEquals(report.epoch() * 70, batches.get(), "no batch ran after the stopping epoch");
        int best = report.bestEpoch().getAsInt();
        assertEquals(best, report.restoredFromEpoch().getAsInt());
        EpochMetrics bestEpoch = history.epochs().get(best - 1);
        assertEquals(bestEpoch.value("val_loss").orElseThrow(), model.evaluate(split.validation(), 32).loss(), 1e-12,
                "the model holds the best epoch's weights");
        assertEquals(best, history.argMin("val_loss").getAsInt());
        for (String t : threads) {
            assertTrue(t.startsWith("epochflux-train-"), t);
        }
    }

    @Test
    void theModelCanBeSavedFromDoOnCompleteAfterAnEarlyStop(@TempDir Path dir) throws Exception {
        Split split = TestData.seedSplit();
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
        Trainer trainer = Trainer.builder().epochs(3000).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build();
        Path file = dir.resolve("model.zip");
        AtomicBoolean interrupted = new AtomicBoolean();
        History history = trainer.fit(model, split.train(), split.validation())
                .transform(EarlyStopping.builder().patience(5).restoreBestWeights(true).build())
                .doOnComplete(() -> {
                    interrupted.set(Thread.currentThread().isInterrupted());
                    try {
                        model.save(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .as(History::collect)
                .block();
        assertEquals(StopReason.PATIENCE_EXHAUSTED, history.stop().orElseThrow().reason());
        assertFalse(interrupted.get(), "the run's thread is never interrupted");
        assertEquals(model.snapshot(), Sequential.load(file).snapshot(), "the saved model is the restored one");
    }

    @Test
    void backToBackRunsOnOneModelNeverFindItBusy() {
        Split split = TestData.seedSplit();
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
        Trainer one = Trainer.builder().epochs(1).batchSize(100).seed(10).build();
        Trainer many = Trainer.builder().epochs(100).batchSize(100).seed(10).build();
        Dataset small = split.train().slice(0, 100);
        EarlyStopping restoring = EarlyStopping.builder().monitor("loss").patience(0).restoreBestWeights(true).build();
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, one.fit(model, small).blockLast().epoch());
            assertEquals(1, many.fit(model, small).take(1).blockLast().epoch());
            if (i % 100 == 0) {
                assertTrue(many.fit(model, small).transform(restoring).blockLast().stop().isPresent());
            }
        }
    }
}
