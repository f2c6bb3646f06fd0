package io.epochflux.train;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Evaluation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    static Sequential seedModel() {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
    }

    static Trainer.Builder seedTrainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10);
    }

    private static final Split SPLIT = TestData.seedSplit();

    @Test
    void nothingRunsBeforeSubscription() {
        AtomicInteger batches = new AtomicInteger();
        ManualScheduler manual = new ManualScheduler();
        Flux<EpochMetrics> run = seedTrainer(3).scheduler(manual.scheduler())
                .batchListener((e, b, n, l, a) -> batches.incrementAndGet()).build()
                .fit(seedModel(), SPLIT.train(), SPLIT.validation());
        assertEquals(0, manual.pending(), "fit schedules nothing");
        assertEquals(0, batches.get());
        List<EpochMetrics> seen = new java.util.ArrayList<>();
        run.subscribe(seen::add);
        manual.drain();
        assertEquals(3, seen.size());
        assertEquals(3 * 70, batches.get());
    }

    @Test
    void runsExactlyOneEpochPerUnitOfDemand() {
        AtomicInteger batches = new AtomicInteger();
        ManualScheduler manual = new ManualScheduler();
        Flux<EpochMetrics> run = seedTrainer(10).scheduler(manual.scheduler())
                .batchListener((e, b, n, l, a) -> batches.incrementAndGet()).build()
                .fit(seedModel(), SPLIT.train(), SPLIT.validation());
        List<EpochMetrics> seen = new java.util.ArrayList<>();
        BaseSubscriber<EpochMetrics> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                // no demand yet
            }

            @Override
            protected void hookOnNext(EpochMetrics value) {
                seen.add(value);
            }
        };
        run.subscribe(subscriber);
        manual.drain();
        assertEquals(0, batches.get(), "no epoch without demand");
        assertEquals(0, manual.pending(), "a run without demand holds no task");
        subscriber.request(1);
        manual.drain();
        assertEquals(1, seen.size());
        assertEquals(1, seen.get(0).epoch());
        assertEquals(70, batches.get(), "exactly one epoch for request(1)");
        subscriber.request(2);
        manual.drain();
        assertEquals(List.of(1, 2, 3), seen.stream().map(EpochMetrics::epoch).toList());
        assertEquals(3 * 70, batches.get());
        assertEquals(0, manual.pending(), "nothing more is scheduled without demand");
        subscriber.dispose();
        manual.drain();
        assertEquals(3 * 70, batches.get());
    }

    @Test
    void epochsCarryKerasMetricsDurationAndSnapshot() {
        List<EpochMetrics> epochs = seedTrainer(2).build().fit(seedModel(), SPLIT.train(), SPLIT.validation())
                .collectList().block();
        EpochMetrics first = epochs.get(0);
        assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(first.values().keySet()));
        assertTrue(first.duration().toNanos() > 0);
        assertTrue(first.snapshot().isEmpty(), "no weights copied when nothing downstream asks for them");
        assertTrue(first.stop().isEmpty());
        StopReport last = epochs.get(1).stop().orElseThrow();
        assertEquals(StopReason.MAX_EPOCHS, last.reason());
        assertEquals(2, last.epoch());
        Map<String, Double> noValidation = seedTrainer(1).build().fit(seedModel(), SPLIT.train()).blockLast().values();
        assertEquals(Set.of("loss", "accuracy"), noValidation.keySet());
    }

    @Test
    void epochsCarrySnapshotsWhenTheBuilderOrTheContextAsks() {
        EpochMetrics built = seedTrainer(1).snapshots(true).build().fit(seedModel(), SPLIT.train()).blockLast();
        assertTrue(built.snapshot().isPresent());
        assertEquals(1, built.snapshot().get().epoch());
        assertEquals(1600, built.snapshot().get().parameters().orElseThrow().length);
        EpochMetrics asked = seedTrainer(1).build().fit(seedModel(), SPLIT.train())
                .contextWrite(RunLink.withSnapshots()).blockLast();
        assertTrue(asked.snapshot().isPresent());
    }

    @Test
    void trainingFiguresAreTheEpochsRunningMeansAndValidationTheEndOfEpochFigures() {
        Sequential model = seedModel();
        EpochMetrics epoch = seedTrainer(1).shuffle(false).build()
                .fit(model, SPLIT.train(), SPLIT.validation()).blockLast();
        // the same epoch by hand: each batch's loss and accuracy before its step, averaged as Keras does
        Sequential byHand = seedModel();
        double loss = 0;
        double accuracy = 0;
        int[] order = java.util.stream.IntStream.range(0, 700).toArray();
        try (var session = byHand.startTraining(SPLIT.train(), Optimizer.sgd(0.01), 10)) {
            for (int from = 0; from < 700; from += 10) {
                Evaluation before = session.evaluate(SPLIT.train().slice(from, from + 10));
                loss += before.loss() * 10 / 700;
                accuracy += before.accuracy() * 10 / 700;
                session.trainBatch(order, from, from + 10);
            }
        }
        assertEquals(loss, epoch.value("loss").orElseThrow(), 1e-5);
        assertEquals(accuracy, epoch.value("accuracy").orElseThrow(), 1e-9);
        Evaluation val = model.evaluate(SPLIT.validation(), 10);
        assertEquals(val.loss(), epoch.value("val_loss").orElseThrow(), 1e-12);
        assertEquals(val.accuracy(), epoch.value("val_accuracy").orElseThrow(), 1e-12);
        assertEquals(byHand.snapshot(), model.snapshot(), "the same weights after the epoch");
    }

    @Test
    void epochsRunOnTheTrainingPoolNeverOnTheSubscribersThread() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        String caller = Thread.currentThread().getName();
        seedTrainer(3).build().fit(seedModel(), SPLIT.train(), SPLIT.validation())
                .doOnNext(m -> threads.add(Thread.currentThread().getName()))
                .blockLast();
        assertFalse(threads.isEmpty());
        for (String name : threads) {
            assertTrue(name.startsWith("epochflux-train-"), name);
            assertNotEquals(caller, name);
        }
    }

    @Test
    void resubscribingRepeatsTheSameRun() {
        Sequential model = seedModel();
        Flux<EpochMetrics> run = seedTrainer(4).build().fit(model, SPLIT.train(), SPLIT.validation());
        List<Map<String, Double>> first = run.map(EpochMetrics::values).collectList().block();
        List<Map<String, Double>> second = run.map(EpochMetrics::values).collectList().block();
        assertEquals(first, second);
        List<Map<String, Double>> otherSeed = seedTrainer(4).seed(11).build().fit(seedModel(), SPLIT.train(),
                SPLIT.validation()).map(EpochMetrics::values).collectList().block();
        assertNotEquals(first, otherSeed);
    }

    @Test
    void snapshotRestorePutsAnEpochsWeightsBack() {
        Sequential model = seedModel();
        List<EpochMetrics> epochs = seedTrainer(5).snapshots(true).build().fit(model, SPLIT.train(), SPLIT.validation())
                .collectList().block();
        EpochMetrics second = epochs.get(1);
        assertNotEquals(second.value("val_loss").orElseThrow(), model.evaluate(SPLIT.validation(), 10).loss());
        second.snapshot().orElseThrow().restore();
        assertEquals(second.value("val_loss").orElseThrow(), model.evaluate(SPLIT.validation(), 10).loss(), 1e-12);
    }

    @Test
    void cancellingFromAnotherThreadStopsTrainingWithinABatch() throws InterruptedException {
        AtomicInteger batches = new AtomicInteger();
        AtomicReference<String> thread = new AtomicReference<>();
        CountDownLatch firstEpoch = new CountDownLatch(1);
        BaseSubscriber<EpochMetrics> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnNext(EpochMetrics value) {
                thread.set(Thread.currentThread().getName());
                firstEpoch.countDown();
            }
        };
        Sequential model = seedModel();
        TrainingRun run = seedTrainer(100_000).batchListener((e, b, n, l, a) -> batches.incrementAndGet()).build()
                .run(model, SPLIT.train(), SPLIT.validation());
        run.epochs().subscribe(subscriber);
        assertTrue(firstEpoch.await(30, TimeUnit.SECONDS));
        subscriber.dispose();
        int atCancel = batches.get();
        RunOutcome outcome = run.outcome().block(Duration.ofSeconds(30));
        int atOutcome = batches.get();
        assertTrue(atOutcome - atCancel <= 1, "batches after cancel: " + (atOutcome - atCancel));
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertEquals(TrainingRun.Status.ENDED, run.status());
        // the session is closed before the outcome is emitted, and a closed session trains no batch
        assertTrue(model.snapshotIfIdle().isPresent(), "the model is released once the outcome is out");
        assertEquals(atOutcome, batches.get(), "nothing trains once the outcome is out");
    }

    @Test
    void anExceptionInsideTrainingArrivesAsOnErrorWithEpochAndBatch() {
        Flux<EpochMetrics> run = seedTrainer(5).batchListener((epoch, batch, n, l, a) -> {
            if (epoch == 2 && batch == 5) {
                throw new IllegalStateException("boom");
            }
        }).build().fit(seedModel(), SPLIT.train(), SPLIT.validation());
        StepVerifier.create(run)
                .expectNextCount(1)
                .expectErrorSatisfies(e -> {
                    TrainingException t = assertInstanceOf(TrainingException.class, e);
                    assertEquals(2, t.epoch());
                    assertEquals(5, t.batch());
                    assertTrue(t.getMessage().contains("epoch 2, batch 5 of 70"), t.getMessage());
                    assertEquals("boom", t.getCause().getMessage());
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aDivergingLossIsReportedNotHidden() {
        Sequential model = Sequential.builder(784).dense(10, Activation.LINEAR).loss(Loss.MEAN_SQUARED_ERROR).build();
        List<EpochMetrics> epochs = Trainer.builder().epochs(6).batchSize(10).optimizer(Optimizer.sgd(50)).build()
                .fit(model, SPLIT.train(), SPLIT.validation()).collectList().block();
        double last = epochs.get(5).value("loss").orElseThrow();
        assertTrue(Double.isNaN(last) || Double.isInfinite(last), "loss " + last);
    }

    @Test
    void aSecondRunOnABusyModelQueuesUntilTheFirstReleasesIt() throws InterruptedException {
        Sequential model = seedModel();
        Trainer trainer = seedTrainer(1000).build();
        TrainingRun first = trainer.run(model, SPLIT.train(), SPLIT.validation());
        CountDownLatch started = new CountDownLatch(1);
        first.epochs().doOnNext(m -> started.countDown()).subscribe();
        assertTrue(started.await(30, TimeUnit.SECONDS));
        ManualScheduler manual = new ManualScheduler();
        TrainingRun second = seedTrainer(2).scheduler(manual.scheduler()).build().run(model, SPLIT.train(), SPLIT.validation());
        List<EpochMetrics> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        second.epochs().subscribe(seen::add);
        assertTrue(manual.drain() > 0, "the second run tried to take the model");
        assertEquals(TrainingRun.Status.QUEUED, second.status(), "waits for the model");
        assertEquals(0, manual.pending(), "holding no thread and no task");
        assertTrue(seen.isEmpty());
        first.cancel();
        RunOutcome firstOutcome = first.outcome().block(Duration.ofSeconds(30));
        // the first run's release told the second, which scheduled its next task
        manual.drain();
        RunOutcome secondOutcome = second.outcome().block(Duration.ofSeconds(30));
        assertEquals(RunOutcome.Kind.CANCELLED, firstOutcome.kind());
        assertEquals(RunOutcome.Kind.COMPLETED, secondOutcome.kind());
        assertEquals(2, seen.size());
    }

    @Test
    void zeroEpochsIsAnEmptyStreamAndBadDataFailsAtFit() {
        StepVerifier.create(seedTrainer(0).build().fit(seedModel(), SPLIT.train())).verifyComplete();
        Dataset narrow = Dataset.of("narrow", 2, 3, 10, new float[6], new float[20]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> seedTrainer(1).build().fit(seedModel(), narrow));
        assertEquals("train must have 784 features (the model's inputs), but narrow has 3", e.getMessage());
        assertEquals("epochs must be >= 0, but was -1",
                assertThrows(IllegalArgumentException.class, () -> Trainer.builder().epochs(-1)).getMessage());
        assertEquals("batchSize must be >= 1, but was 0",
                assertThrows(IllegalArgumentException.class, () -> Trainer.builder().batchSize(0)).getMessage());
    }

    @Test
    void manyShortRunsUseOnlyThePoolsThreads() {
        Dataset small = SPLIT.train().slice(0, 20);
        Trainer trainer = seedTrainer(2).build();
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 100; i++) {
            Sequential model = seedModel();
            Flux<EpochMetrics> run = trainer.fit(model, small);
            if (i % 2 == 0) {
                run.doOnNext(m -> names.add(Thread.currentThread().getName())).blockLast();
            } else {
                run.doOnNext(m -> names.add(Thread.currentThread().getName())).take(1).blockLast();
            }
        }
        assertTrue(names.size() <= TrainingPool.sharedSize(), "threads used: " + names);
        long live = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("epochflux-train-")).count();
        assertTrue(live <= TrainingPool.sharedSize(), "live training threads: " + live);
    }
}
