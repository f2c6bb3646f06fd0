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

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            io.epochflux.train.TrainerAccess.awaitThreadGone(t);
        }
    }
}
