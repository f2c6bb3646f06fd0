package io.epochflux.train;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.StopRule;
import io.epochflux.stop.StopWhen;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BlockHound (installed for the whole test run by its JUnit platform integration) watches the
 * threads Reactor marks non-blocking: subscribing, requesting, cancelling, stop rules and the
 * metrics binder on them must never park, sleep or wait on a lock.
 */
class NonBlockingTest {

    private static final Split SPLIT = TestData.seedSplit();

    private static Sequential model(long seed) {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(seed).build();
    }

    @Test
    void blockHoundIsInstalled() {
        Throwable e = assertThrows(RuntimeException.class, () -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(10)));
        assertInstanceOf(BlockingOperationError.class, e.getCause() instanceof BlockingOperationError ? e.getCause() : e);
    }

    @Test
    void subscribingRequestingCancellingAndRulesOnAParallelThreadNeverBlock() throws InterruptedException {
        // load: two long runs keep the pool's threads busy while the cancels land
        Trainer busy = Trainer.builder().epochs(100_000).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(1).build();
        Sequential shared = model(1);
        List<Disposable> load = new ArrayList<>();
        load.add(busy.fit(shared, SPLIT.train(), SPLIT.validation()).subscribe());
        load.add(busy.fit(model(2), SPLIT.train(), SPLIT.validation()).subscribe());
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            for (int i = 0; i < 40; i++) {
                int n = i;
                Trainer trainer = Trainer.builder().epochs(5000).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(n).build();
                StopRule rule = StopRule.anyOf(
                        EarlyStopping.builder().patience(1000).restoreBestWeights(true).build(),
                        StopWhen.nonFinite("loss"));
                CountDownLatch done = new CountDownLatch(1);
                // every fourth run shares a model with the load, so its start queues behind a busy session
                Sequential m = n % 4 == 0 ? shared : model(10 + n);
                Schedulers.parallel().schedule(() -> {
                    try {
                        TrainingRun run = trainer.run(m, SPLIT.train(), SPLIT.validation());
                        Disposable d = run.epochs()
                                .publishOn(Schedulers.parallel(), 1)      // the rules and the binder run on parallel threads
                                .transform(rule)
                                .transform(TrainingMetrics.builder(registry).run("run-" + n).build())
                                .subscribe(e -> { }, errors::add);
                        Schedulers.parallel().schedule(() -> {
                            d.dispose();                                  // cancel from a parallel thread, mid-run
                            done.countDown();
                        }, 5 + n % 7, TimeUnit.MILLISECONDS);
                    } catch (Throwable t) {
                        errors.add(t);
                        done.countDown();
                    }
                });
                assertTrue(done.await(30, TimeUnit.SECONDS));
            }
            // and the built-in stop path: a rule ends the stream on a parallel thread
            Flux<EpochMetrics> stopped = Trainer.builder().epochs(50).batchSize(10).seed(3).build()
                    .fit(model(3), SPLIT.train(), SPLIT.validation())
                    .publishOn(Schedulers.parallel(), 1)
                    .transform(EarlyStopping.builder().patience(0).restoreBestWeights(true).build());
            assertTrue(stopped.blockLast(Duration.ofSeconds(60)).stop().isPresent());
        } finally {
            load.forEach(Disposable::dispose);
        }
        assertEquals(List.of(), errors, "no blocking call, no error");
    }
}
