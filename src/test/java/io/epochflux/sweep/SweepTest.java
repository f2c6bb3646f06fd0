package io.epochflux.sweep;

import io.epochflux.TestData;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.train.StopReason;
import io.epochflux.train.TrainingPool;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweeps that really train, on a small draw of the bundled sample. */
class SweepTest {

    private static final Split DATA = Mnist.sampleSplit(TestData.sample(), 200, 100, 3);

    private static List<TrialConfig> grid() {
        return SearchSpace.builder().hidden(List.of(List.of(2), List.of(8))).learningRates(List.of(0.01, 0.1))
                .optimizers(List.of("sgd", "adam")).build().grid();
    }

    private static Sweep.Builder sweep(Pruner pruner) {
        return Sweep.builder(grid(), DATA.train(), DATA.validation()).pruner(pruner).epochs(12).seed(5);
    }

    /** What must not change with the concurrency: per trial, its epochs, best value and rung. */
    private static List<String> summary(List<TrialResult> results) {
        return results.stream().map(r -> r.trial().name() + " epochs=" + r.epochs() + " best=" + r.bestValLoss()
                + " rung=" + r.prunedAtRung()).toList();
    }

    @Test
    void successiveHalvingGivesTheSameTrialsDecisionsAndResultsAtConcurrency1_2And8() {
        Pruner sh = Pruner.successiveHalving(2, 2);
        List<String> one = summary(sweep(sh).concurrency(1).build().results().block(Duration.ofMinutes(3)));
        List<String> two = summary(sweep(sh).concurrency(2).build().results().block(Duration.ofMinutes(3)));
        List<String> eight = summary(sweep(sh).concurrency(8).build().results().block(Duration.ofMinutes(3)));
        assertEquals(one, two);
        assertEquals(one, eight);
        assertEquals(8, one.size());
        // rungs at 2, 4, 8: 8 -> 4 -> 2 -> 1 trained to the end
        assertEquals(4, one.stream().filter(s -> s.contains("rung=OptionalInt[0]")).count(), one.toString());
        assertEquals(2, one.stream().filter(s -> s.contains("rung=OptionalInt[1]")).count(), one.toString());
        assertEquals(1, one.stream().filter(s -> s.contains("rung=OptionalInt[2]")).count(), one.toString());
        assertTrue(one.get(0).contains("epochs=12"), "the best trained to the end: " + one);
    }

    @Test
    void ashaAtConcurrency1IsDeterministicAndTheStartOrderIsSeeded() {
        Pruner asha = Pruner.asha(2, 3);
        List<String> once = summary(sweep(asha).concurrency(1).build().results().block(Duration.ofMinutes(3)));
        List<String> again = summary(sweep(asha).concurrency(1).build().results().block(Duration.ofMinutes(3)));
        assertEquals(once, again);
        Sweep s = sweep(asha).build();
        assertEquals(s.startOrder(), sweep(asha).build().startOrder());
        assertEquals(new HashSet<>(s.trials()), new HashSet<>(s.startOrder()));
        assertEquals(s.trials(), sweep(asha).shuffleStart(false).build().startOrder());
    }

    @Test
    void aTrialWaitingForItsRungHoldsNoThreadSoOneThreadRunsEightTrials() {
        Scheduler one = TrainingPool.create("sweep-test", 1);
        try {
            List<TrialResult> r = sweep(Pruner.successiveHalving(2, 2)).concurrency(8).scheduler(one).build().results()
                    .block(Duration.ofMinutes(3));
            assertEquals(8, r.size());
        } finally {
            one.dispose();
        }
    }

    @Test
    void aPrunedTrialTrainsNoBatchAfterItsPrune() {
        Map<String, Integer> lastBatchEpoch = new ConcurrentHashMap<>();
        List<TrialEvent> events = sweep(Pruner.asha(2, 3)).concurrency(2)
                .batchListeners(t -> (epoch, batch, batches, loss, accuracy) -> lastBatchEpoch.merge(t.name(), epoch, Math::max))
                .build().events().collectList().block(Duration.ofMinutes(3));
        List<TrialEvent> pruned = events.stream().filter(e -> e.kind() == TrialEvent.Kind.PRUNED).toList();
        assertFalse(pruned.isEmpty(), "ASHA pruned someone");
        for (TrialEvent p : pruned) {
            int at = p.stop().orElseThrow().epoch();
            assertEquals(StopReason.PRUNED, p.stop().get().reason());
            assertTrue(p.stop().get().message().contains("rung " + p.rung().getAsInt()), p.stop().get().message());
            assertEquals(at, (int) lastBatchEpoch.get(p.trial().name()),
                    p.trial().name() + " trained a batch after its prune at epoch " + at);
        }
    }

    @Test
    void eachTrialStartsThenReportsItsEpochsThenFinishes() {
        List<TrialEvent> events = sweep(Pruner.successiveHalving(2, 2)).concurrency(3).build().events().collectList()
                .block(Duration.ofMinutes(3));
        Map<String, List<TrialEvent>> byTrial = events.stream().collect(Collectors.groupingBy(e -> e.trial().name()));
        assertEquals(8, byTrial.size());
        for (List<TrialEvent> own : byTrial.values()) {
            assertEquals(TrialEvent.Kind.STARTED, own.get(0).kind());
            assertEquals(TrialEvent.Kind.FINISHED, own.get(own.size() - 1).kind());
            TrialResult r = own.get(own.size() - 1).result().orElseThrow();
            long epochs = own.stream().filter(e -> e.kind() == TrialEvent.Kind.EPOCH).count();
            assertEquals(r.epochs(), epochs);
            assertEquals(r.pruned(), own.stream().anyMatch(e -> e.kind() == TrialEvent.Kind.PRUNED));
        }
    }

    @Test
    void resultsComeBestFirstAndEachSubscriptionIsAFreshSweep() {
        Sweep s = sweep(Pruner.successiveHalving(2, 2)).concurrency(2).build();
        List<TrialResult> first = s.results().block(Duration.ofMinutes(3));
        for (int i = 1; i < first.size(); i++) {
            assertTrue(first.get(i - 1).bestValLoss() <= first.get(i).bestValLoss());
        }
        assertEquals(summary(first), summary(s.results().block(Duration.ofMinutes(3))));
    }

    @Test
    void aResumedSweepKeepsFinishedTrialsAndReachesTheSameResults() {
        Pruner sh = Pruner.successiveHalving(2, 2);
        List<TrialResult> full = sweep(sh).concurrency(2).build().results().block(Duration.ofMinutes(3));
        List<TrialResult> kept = full.stream().filter(r -> r.trial().index() % 3 == 0).toList();
        List<TrialEvent> resumed = sweep(sh).concurrency(2).completed(kept).build().events().collectList()
                .block(Duration.ofMinutes(3));
        Set<String> started = resumed.stream().filter(e -> e.kind() == TrialEvent.Kind.STARTED).map(e -> e.trial().name())
                .collect(Collectors.toSet());
        kept.forEach(r -> assertFalse(started.contains(r.trial().name()), r.trial().name() + " was trained again"));
        assertEquals(8 - kept.size(), started.size());
        List<TrialResult> results = Sweep.results(reactor.core.publisher.Flux.fromIterable(resumed)).block();
        assertEquals(summary(full), summary(results));
    }

    @Test
    void eachTrialsMetersCarryItsNameAsRunAndTheSweepsName() {
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        sweep(Pruner.successiveHalving(2, 2)).concurrency(2).name("grid-1")
                .decorate((t, s) -> s.transform(io.epochflux.metrics.TrainingMetrics.builder(registry).run(t.name())
                        .sweep("grid-1").retention(Duration.ofDays(1)).build()))
                .build().results().block(Duration.ofMinutes(3));
        String scrape = registry.scrape();
        for (int i = 0; i < 8; i++) {
            String run = "run=\"trial-00" + i + "\"";
            assertTrue(scrape.lines().anyMatch(l -> l.contains(run) && l.contains("sweep=\"grid-1\"")),
                    "trial-00" + i + ":\n" + scrape);
        }
        assertTrue(scrape.lines().anyMatch(l -> l.startsWith("epochflux_stops_total") && l.contains("reason=\"PRUNED\"")
                && l.contains("sweep=\"grid-1\"")), scrape);
    }

    @Test
    void earlyStoppingStillEndsTrialsInsideASweepAndTheyCountAtTheirRung() {
        List<TrialResult> results = sweep(Pruner.successiveHalving(4, 2)).concurrency(2)
                .earlyStopping(io.epochflux.stop.EarlyStopping.builder().patience(0).build())
                .build().results().block(Duration.ofMinutes(3));
        List<TrialResult> early = results.stream()
                .filter(r -> r.stop().orElseThrow().reason().equals(StopReason.PATIENCE_EXHAUSTED)).toList();
        assertFalse(early.isEmpty(), "some trial stopped by its own early stopping: " + results);
        assertEquals(8, results.size());
        for (TrialResult r : early) {
            assertFalse(r.pruned());
            assertTrue(r.epochs() < 12, r.toString());
        }
        // 8 -> 4 at epoch 4: the trials that stopped early count in the rung but never get pruned
        long reachedRung1 = results.stream().filter(r -> !r.pruned() && r.epochs() > 4).count();
        assertTrue(reachedRung1 <= 4, results.toString());
    }

    @Test
    void theShardsCoverEveryTrialExactlyOnce() {
        List<Trial> all = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            all.add(Trial.of(i, grid().get(i % 8)));
        }
        for (int n = 1; n <= 7; n++) {
            Set<Integer> seen = new HashSet<>();
            int total = 0;
            for (int i = 0; i < n; i++) {
                List<Trial> shard = Sweep.shard(all, i, n);
                total += shard.size();
                shard.forEach(t -> assertTrue(seen.add(t.index()), "trial in two shards"));
                assertEquals(Sweep.shard(all, i, n), shard, "deterministic");
            }
            assertEquals(48, total);
            assertEquals(48, seen.size());
        }
        Sweep s = sweep(Pruner.none()).shard(1, 3).build();
        assertEquals(List.of(1, 4, 7), s.trials().stream().map(Trial::index).toList());
        assertThrows(IllegalArgumentException.class, () -> Sweep.shard(all, 3, 3));
    }

    @Test
    void theGridHasEveryCombinationOnceAndAdamIgnoresMomentum() {
        SearchSpace space = SearchSpace.builder().hidden(List.of(List.of(2), List.of(8), List.of(32), List.of(128)))
                .learningRates(List.of(0.001, 0.01, 0.1)).optimizers(List.of("sgd", "adam"))
                .batchSizes(List.of(10, 32)).build();
        assertEquals(48, space.grid().size());
        assertEquals(48, new HashSet<>(space.grid()).size());
        SearchSpace withMomentum = SearchSpace.builder().optimizers(List.of("sgd", "adam")).momenta(List.of(0.0, 0.9))
                .build();
        assertEquals(3, withMomentum.grid().size(), "sgd x 2 momenta, adam once");
        assertEquals(space.sample(10, 4), space.sample(10, 4));
        assertTrue(space.grid().containsAll(space.sample(10, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchSpace.builder().learningRates(List.of(0.1, -1.0)));
        assertEquals("learningRates must be > 0, but was -1.0", e.getMessage());
        TrialConfig c = new TrialConfig(List.of(64, 32), Activation.TANH, "sgd", 0.001, 0.9, 32, java.util.OptionalInt.of(3));
        assertEquals(List.of("--hidden", "64,32", "--activation", "tanh", "--optimizer", "sgd", "--lr", "0.001",
                "--momentum", "0.9", "--batch-size", "32", "--patience", "3"), c.trainOptions());
    }
}
