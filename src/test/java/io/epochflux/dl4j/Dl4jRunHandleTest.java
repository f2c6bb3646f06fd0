package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.runs.RunEvent;
import io.epochflux.runs.RunHandle;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A DL4J run behind a {@link RunHandle}: every viewer sees every epoch, then the end. */
class Dl4jRunHandleTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final int EPOCHS = 6;

    private static List<EpochMetrics> epochsOf(List<RunEvent> events) {
        return events.stream().filter(e -> e.kind() == RunEvent.Kind.EPOCH).map(e -> e.epoch().orElseThrow()).toList();
    }

    @Test
    void twoViewersOneFromTheStartAndOneJoiningAfterEpochThreeEachSeeEveryEpochThenTheEnd() throws Exception {
        Sinks.Empty<Void> gate = Sinks.empty();
        RunHandle handle = RunHandle.builder(Trainer.builder().epochs(EPOCHS).batchSize(30).seed(3).build()
                        .run(Dl4jModel.of(Dl4jNets.dense(71, new Adam(1e-3), 16)), SPLIT.train(), SPLIT.validation()))
                .pipeline(f -> f.delaySubscription(gate.asMono()))
                .start();
        CompletableFuture<List<RunEvent>> late = new CompletableFuture<>();
        // the second viewer joins from the first one's thread once epoch 3 went by: it gets 1-3 replayed, then the live ones
        CompletableFuture<List<RunEvent>> first = handle.watch()
                .doOnNext(e -> e.epoch().filter(m -> m.epoch() == 3)
                        .ifPresent(m -> handle.watch().collectList().subscribe(late::complete, late::completeExceptionally)))
                .collectList().toFuture();
        gate.tryEmitEmpty(); // the run starts once the first viewer watches

        List<RunEvent> one = first.get(1, TimeUnit.MINUTES);
        List<RunEvent> two = late.get(1, TimeUnit.MINUTES);
        RunOutcome outcome = handle.outcome().block(Duration.ofMinutes(1));
        assertEquals(RunOutcome.Kind.COMPLETED, outcome.kind());
        assertEquals(EPOCHS, outcome.epochs());
        for (List<RunEvent> seen : List.of(one, two)) {
            assertEquals(handle.history().epochs(), epochsOf(seen), "every epoch, in order");
            assertEquals(List.of(1, 2, 3, 4, 5, 6), epochsOf(seen).stream().map(EpochMetrics::epoch).toList());
            RunEvent end = seen.get(seen.size() - 1);
            assertEquals(RunEvent.Kind.END, end.kind());
            assertEquals(RunOutcome.Kind.COMPLETED, end.outcome().orElseThrow().kind());
        }
    }
}
