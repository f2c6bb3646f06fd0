package io.epochflux.train;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Parameters;
import io.epochflux.nn.Sequential;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run handle: status, cancel, outcome, the pool, and the weights a run leaves. */
class TrainingRunTest {

    private static final Split SPLIT = TestData.seedSplit();

    private static Sequential seedModel(long seed) {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(seed).build();
    }

    private static Trainer.Builder trainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10);
    }

    @Test
    void aHundredRunsOnAPoolOfTwoUseTwoThreadsAndEachGivesItsSoloHistory() {
        Dataset train = SPLIT.train().slice(0, 100);
        Dataset validation = SPLIT.validation().slice(0, 50);
        int runs = 100;
        List<List<Map<String, Double>>> solo = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            solo.add(trainer(5).seed(i).build().fit(seedModel(i), train, validation)
                    .map(EpochMetrics::values).collectList().block());
        }
        Scheduler pool = TrainingPool.create("two", 2);
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<List<Map<String, Double>>> together = Flux.range(0, runs)
                    .flatMapSequential(i -> trainer(5).seed(i).scheduler(pool).build().fit(seedModel(i), train, validation)
                            .doOnNext(m -> threads.add(Thread.currentThread().getName()))
                            .map(EpochMetrics::values).collectList(), runs)
                    .collectList().block(Duration.ofMinutes(2));
            assertEquals(solo, together, "every run gives exactly what it gives alone");
            assertEquals(2, threads.size(), "100 concurrent runs trained on the pool's 2 threads: " + threads);
            assertTrue(threads.stream().allMatch(t -> t.startsWith("two-")), threads.toString());
        } finally {
            pool.dispose();
        }
    }

    @Test
    void aRunWithoutDemandWaitsHoldingNoThreadAndTakesTurnsWithOthers() throws InterruptedException {
        Scheduler pool = TrainingPool.create("one", 1);
        try {
            TrainingRun idle = trainer(10).scheduler(pool).build().run(seedModel(1), SPLIT.train(), SPLIT.validation());
            BaseSubscriber<EpochMetrics> lazy = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    request(1);
                }

                @Override
                protected void hookOnNext(EpochMetrics value) {
                    // asks for nothing more
                }
            };
            idle.epochs().subscribe(lazy);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (idle.status() != TrainingRun.Status.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(TrainingRun.Status.WAITING, idle.status());
            assertEquals(1, idle.epoch());
            // the pool's only thread is free: another run trains to the end meanwhile
            List<EpochMetrics> other = trainer(3).scheduler(pool).build().fit(seedModel(2), SPLIT.train())
                    .collectList().block(Duration.ofSeconds(30));
            assertEquals(3, other.size());
            assertEquals(1, idle.epoch(), "the idle run did not train meanwhile");
            lazy.request(1);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (idle.epoch() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(2, idle.epoch());
            idle.cancel();
            assertEquals(RunOutcome.Kind.CANCELLED, idle.outcome().block(Duration.ofSeconds(30)).kind());
        } finally {
            pool.dispose();
        }
    }

    @Test
    void outcomesSayHowARunEnded() {
        RunOutcome completed = completedRun(3);
        assertEquals(RunOutcome.Kind.COMPLETED, completed.kind());
        assertEquals(3, completed.epochs());
        assertEquals(3, completed.weightsEpoch());
        assertEquals(StopReason.MAX_EPOCHS, completed.stop().orElseThrow().reason());

        TrainingRun failing = trainer(5).batchListener((e, b, n, l, a) -> {
            if (e == 2 && b == 3) {
                throw new IllegalStateException("boom");
            }
        }).build().run(seedModel(1), SPLIT.train(), SPLIT.validation());
        StepVerifier.create(failing.epochs()).expectNextCount(1).expectError(TrainingException.class).verify();
        RunOutcome failed = failing.outcome().block(Duration.ofSeconds(30));
        assertEquals(RunOutcome.Kind.FAILED, failed.kind());
        assertEquals(1, failed.weightsEpoch(), "the failed epoch's batches were rolled back");
        assertInstanceOf(TrainingException.class, failed.error().orElseThrow());

        TrainingRun taken = trainer(5).build().run(seedModel(1), SPLIT.train(), SPLIT.validation());
        taken.epochs().take(2).blockLast();
        RunOutcome cancelled = taken.outcomeNow().orElseThrow(() -> new AssertionError("released before take(2) completed"));
        assertEquals(RunOutcome.Kind.CANCELLED, cancelled.kind());
        assertEquals(2, cancelled.epochs());
        assertEquals(2, cancelled.weightsEpoch());
    }

    private static RunOutcome completedRun(int epochs) {
        TrainingRun run = trainer(epochs).build().run(seedModel(1), SPLIT.train(), SPLIT.validation());
        run.epochs().blockLast();
        return run.outcomeNow().orElseThrow(() -> new AssertionError("released before onComplete"));
    }

    @Test
    void aRunTakesOneSubscriber() {
        TrainingRun run = trainer(1).build().run(seedModel(1), SPLIT.train(), null);
        run.epochs().blockLast();
        StepVerifier.create(run.epochs())
                .expectErrorSatisfies(e -> assertTrue(e.getMessage().contains("trains once"), e.getMessage()))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancellingMidEpochRollsTheEpochBackSoTheModelHoldsTheLastEmittedEpoch() throws InterruptedException {
        Sequential model = seedModel(3);
        AtomicInteger batches = new AtomicInteger();
        CountDownLatch midThird = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        List<EpochMetrics> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        TrainingRun run = trainer(100).batchListener((e, b, n, l, a) -> {
            batches.incrementAndGet();
            if (e == 3 && b == 30) {
                midThird.countDown();
                try {
                    // the cancel lands inside the epoch: the run's thread waits here until it has
                    assertTrue(cancelled.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }).build().run(model, SPLIT.train(), SPLIT.validation());
        var subscription = run.epochs().subscribe(seen::add);
        assertTrue(midThird.await(30, TimeUnit.SECONDS));
        subscription.dispose();
        cancelled.countDown();
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        assertEquals(2, seen.size());
        assertEquals(2, outcome.epochs());
        assertEquals(2, outcome.weightsEpoch());
        Sequential alone = seedModel(3);
        trainer(2).build().fit(alone, SPLIT.train(), SPLIT.validation()).blockLast();
        assertEquals(alone.snapshot(), model.snapshot(), "the model holds epoch 2's weights, bit for bit");
    }

    @Test
    void aCancelFromABatchListenerOnTheRunsOwnThreadRollsTheEpochBack() {
        // the listener runs on the run's thread inside an epoch: the cancel must not finish the run there
        Sequential model = seedModel(4);
        AtomicReference<TrainingRun> handle = new AtomicReference<>();
        TrainingRun run = trainer(100).batchListener((e, b, n, l, a) -> {
            if (e == 3 && b == 5) {
                handle.get().cancel();
            }
        }).build().run(model, SPLIT.train(), SPLIT.validation());
        handle.set(run);
        List<EpochMetrics> seen = run.epochs().collectList().block(Duration.ofSeconds(30));
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        assertEquals(2, seen.size());
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertEquals(2, outcome.weightsEpoch());
        assertTrue(outcome.error().isEmpty(), "no error from rolling back a closed session: " + outcome.error());
        Sequential alone = seedModel(4);
        trainer(2).build().fit(alone, SPLIT.train(), SPLIT.validation()).blockLast();
        assertEquals(alone.snapshot(), model.snapshot(), "the model holds epoch 2's weights, bit for bit");
    }

    @Test
    void aFinishedRunKeptForItsOutcomeLetsItsDataAndSessionGo() throws InterruptedException {
        // a server keeps finished runs for an hour: each held its 25 MB split until then
        List<java.lang.ref.WeakReference<Object>> data = new ArrayList<>();
        TrainingRun run = startedOnCopies(data);
        assertEquals(RunOutcome.Kind.COMPLETED, run.outcome().block(Duration.ofSeconds(30)).kind());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (data.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.onSpinWait();
        }
        assertTrue(data.stream().allMatch(r -> r.get() == null), "the run still holds its datasets");
        assertEquals(2, run.epoch(), "the handle still answers");
    }

    private static TrainingRun startedOnCopies(List<java.lang.ref.WeakReference<Object>> refs) {
        io.epochflux.data.Dataset train = SPLIT.train().slice(0, SPLIT.train().size());
        io.epochflux.data.Dataset validation = SPLIT.validation().slice(0, SPLIT.validation().size());
        refs.add(new java.lang.ref.WeakReference<>(train));
        refs.add(new java.lang.ref.WeakReference<>(validation));
        TrainingRun run = trainer(2).build().run(seedModel(5), train, validation);
        run.epochs().subscribe();
        return run;
    }

    @Test
    void cancellingFromTheHandleCompletesTheStreamWithoutAReport() {
        TrainingRun run = trainer(100_000).build().run(seedModel(1), SPLIT.train(), SPLIT.validation());
        StepVerifier.create(run.epochs())
                .expectNextCount(2)
                .then(run::cancel)
                .thenConsumeWhile(e -> e.stop().isEmpty())
                .verifyComplete();
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertTrue(outcome.stop().isEmpty());
    }

    @Test
    void aSecondFitStartsFromTheWeightsTheFirstLeft() {
        Sequential model = seedModel(4);
        trainer(3).build().fit(model, SPLIT.train()).blockLast();
        Parameters afterFirst = model.snapshot();
        Flux<EpochMetrics> second = trainer(1).build().fit(model, SPLIT.train());
        EpochMetrics again = second.blockLast();
        Sequential fromThere = seedModel(4);
        fromThere.restore(afterFirst);
        assertEquals(trainer(1).build().fit(fromThere, SPLIT.train()).blockLast().values(), again.values());
        assertNotEquals(afterFirst, model.snapshot());
    }

    @Test
    void anEpochCopiesNoWeightsUnlessSomethingDownstreamAsksForThem() throws InterruptedException {
        Scheduler pool = TrainingPool.create("alloc", 1);
        try {
            Sequential model = seedModel(5);
            Dataset train = SPLIT.train().slice(0, 100);
            trainer(50).scheduler(pool).build().fit(model, train).blockLast(); // starts the thread, warms up
            Thread thread = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("alloc-1"))
                    .findFirst().orElseThrow();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            // Until C2 has compiled the Vector API's loops they box every vector they touch, which in a
            // JVM that has not trained before lasts well past any fixed warm-up: so the two cases are
            // measured side by side in rounds, until a round shows the settled figures
            int epochs = 400;
            long snapshotBytes = 1600L * Float.BYTES;
            long plain = 0;
            long withSnapshots = 0;
            for (int round = 0; round < 15; round++) {
                long before = threads.getThreadAllocatedBytes(thread.getId());
                trainer(epochs).scheduler(pool).build().fit(model, train).blockLast();
                plain = threads.getThreadAllocatedBytes(thread.getId()) - before;
                before = threads.getThreadAllocatedBytes(thread.getId());
                trainer(epochs).scheduler(pool).build().fit(model, train).contextWrite(RunLink.withSnapshots()).blockLast();
                withSnapshots = threads.getThreadAllocatedBytes(thread.getId()) - before;
                if (plain / epochs < snapshotBytes && withSnapshots - plain >= epochs * snapshotBytes) {
                    break;
                }
            }
            System.out.printf("heap per epoch on the training thread: %,d bytes plain, %,d bytes with snapshots%n",
                    plain / epochs, withSnapshots / epochs);
            assertTrue(plain / epochs < snapshotBytes, "no snapshot copied per epoch: " + plain / epochs + " bytes");
            assertTrue(withSnapshots - plain >= epochs * snapshotBytes,
                    "a snapshot per epoch when asked: " + (withSnapshots - plain) / epochs + " bytes more an epoch");
        } finally {
            pool.dispose();
        }
    }
}
