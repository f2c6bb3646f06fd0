package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DL4J run subscribed, stopped and restored from {@code Schedulers.parallel()} threads, which
 * BlockHound (installed for the whole test run) watches: nothing there waits, the run ends
 * cancelled on its own thread, and the network is free for the next run.
 */
class Dl4jNonBlockingTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final Duration WAIT = Duration.ofMinutes(1);

    private static Trainer endless() {
        return Trainer.builder().epochs(100_000).batchSize(30).seed(1).build();
    }

    private static void assertBlockHoundWatchesParallelThreads() {
        Throwable e = assertThrows(RuntimeException.class, () -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel()).block(WAIT));
        assertInstanceOf(BlockingOperationError.class, e.getCause() instanceof BlockingOperationError ? e.getCause() : e);
    }

    /** Runs a task on a parallel (non-blocking) thread, keeping what it throws. */
    private static void onParallel(Runnable task, List<Throwable> errors, CountDownLatch done) {
        Schedulers.parallel().schedule(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                errors.add(t);
            } finally {
                done.countDown();
            }
        });
    }

    /** The network is free: its parameters read without waiting, and a new run on it trains to the end. */
    private static void assertReleased(MultiLayerNetwork net) {
        assertTrue(Dl4jModel.of(net).parametersIfIdle().isPresent(), "no session holds the network");
        List<EpochMetrics> next = Trainer.builder().epochs(2).batchSize(30).seed(2).build()
                .fit(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation()).collectList().block(WAIT);
        assertEquals(2, next.size());
    }

    @Test
    void disposingFromAParallelThreadNeverBlocksAndTheBestWeightsAreRestoredOnTheRunsThread() throws Exception {
        assertBlockHoundWatchesParallelThreads();
        MultiLayerNetwork net = Dl4jNets.dense(81, new Adam(1e-3), 16);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Map<Integer, float[]> snapshots = new ConcurrentHashMap<>();
        AtomicReference<TrainingRun> run = new AtomicReference<>();
        AtomicReference<Disposable> subscription = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch threeEpochs = new CountDownLatch(3);
        onParallel(() -> {
            TrainingRun r = endless().run(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation());
            run.set(r);
            subscription.set(r.epochs()
                    .publishOn(Schedulers.parallel(), 1) // the rule, its restore and the subscriber on parallel threads
                    .transform(EarlyStopping.builder().monitor("val_loss").patience(100_000).restoreBestWeights(true).build())
                    .subscribe(e -> {
                        snapshots.put(e.epoch(), e.snapshot().orElseThrow().parameters().orElseThrow());
                        threeEpochs.countDown();
                    }, errors::add));
        }, errors, subscribed);
        assertTrue(subscribed.await(1, TimeUnit.MINUTES));
        assertTrue(threeEpochs.await(1, TimeUnit.MINUTES), "three epochs trained: " + errors);

        CountDownLatch cancelled = new CountDownLatch(1);
        onParallel(() -> subscription.get().dispose(), errors, cancelled);
        assertTrue(cancelled.await(1, TimeUnit.MINUTES));
        RunOutcome outcome = run.get().outcome().block(WAIT);

        assertEquals(List.of(), errors, "no blocking call, no error");
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind(), outcome.toString());
        assertEquals(TrainingRun.Status.ENDED, run.get().status());
        int restored = outcome.weightsEpoch();
        assertTrue(restored >= 1 && snapshots.containsKey(restored), outcome + ", epochs seen " + snapshots.keySet());
        assertArrayEquals(snapshots.get(restored), net.params().toFloatVector(), "the network holds the restored epoch's parameters");
        assertReleased(net);
    }

    @Test
    void theRunsCancelFromAParallelThreadNeverBlocksAndEndsTheRunCancelled() throws Exception {
        assertBlockHoundWatchesParallelThreads();
        MultiLayerNetwork net = Dl4jNets.dense(82, new Adam(1e-3), 16);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        TrainingRun run = endless().run(Dl4jModel.of(net), SPLIT.train(), SPLIT.validation());
        CountDownLatch twoEpochs = new CountDownLatch(2);
        CountDownLatch completed = new CountDownLatch(1);
        run.epochs().subscribe(e -> twoEpochs.countDown(), errors::add, completed::countDown); // on the training pool
        assertTrue(twoEpochs.await(1, TimeUnit.MINUTES));

        CountDownLatch cancelled = new CountDownLatch(1);
        onParallel(run::cancel, errors, cancelled);
        assertTrue(cancelled.await(1, TimeUnit.MINUTES));
        RunOutcome outcome = run.outcome().block(WAIT);
        assertTrue(completed.await(1, TimeUnit.MINUTES), "a cancel by the handle completes the stream");

        assertEquals(List.of(), errors, "no blocking call, no error");
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind(), outcome.toString());
        assertTrue(outcome.epochs() >= 2 && outcome.epochs() < 100_000, outcome.toString());
        assertEquals(outcome.epochs(), outcome.weightsEpoch(), "an unfinished epoch is rolled back");
        assertEquals(outcome.epochs(), net.getEpochCount(), "DL4J counted the completed epochs only");
        assertReleased(net);
    }
}
