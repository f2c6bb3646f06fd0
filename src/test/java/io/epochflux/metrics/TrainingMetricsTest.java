package io.epochflux.metrics;

import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import io.epochflux.stop.Mode;
import io.epochflux.stop.StopRule;
import io.epochflux.stop.StopWhen;
import io.micrometer.core.instrument.Tags;
import reactor.core.publisher.Flux;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

    private static Flux<EpochMetrics> epochs(double... valLoss) {
        List<EpochMetrics> list = new ArrayList<>();
        for (int i = 0; i < valLoss.length; i++) {
            int n = i + 1;
            list.add(EpochMetrics.of(n, Map.of("loss", 2.0 / n, "accuracy", 0.1 * n, "val_loss", valLoss[i],
                    "val_accuracy", 0.05 * n), () -> { }).withDuration(Duration.ofMillis(10 * n)));
        }
        return Flux.fromIterable(list);
    }

    private TrainingMetrics.Builder binder(String run) {
        return TrainingMetrics.builder(registry).run(run).scheduler(clock).retention(Duration.ofMinutes(5));
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double state(String run, TrainingMetrics.RunState s) {
        return gauge(MeterNames.RUN_STATE, MeterNames.RUN, run, MeterNames.STATE, s.tag());
    }

    @Test
    void publishesEveryEpochAndTheStop() {
        clock.advanceTimeTo(java.time.Instant.ofEpochSecond(1_700_000_000));
        EarlyStopping es = EarlyStopping.builder().patience(1).build();
        epochs(1.0, 0.8, 0.9, 0.95, 0.7)
                .transform(es)
                .transform(binder("p1").monitor(es).info("optimizer", "sgd").info("batch_size", 10).build())
                .blockLast();
        assertEquals(3.0, registry.get(MeterNames.EPOCHS).tag(MeterNames.RUN, "p1").counter().count());
        assertEquals(3, registry.get(MeterNames.EPOCH_DURATION).timer().count());
        assertEquals(60, registry.get(MeterNames.EPOCH_DURATION).timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
        assertEquals(3.0, gauge(MeterNames.EPOCH, MeterNames.RUN, "p1"));
        assertEquals(2.0 / 3, gauge(MeterNames.LOSS, MeterNames.RUN, "p1", MeterNames.SPLIT, "train"));
        assertEquals(0.9, gauge(MeterNames.LOSS, MeterNames.RUN, "p1", MeterNames.SPLIT, "validation"));
        assertEquals(0.3, gauge(MeterNames.ACCURACY, MeterNames.RUN, "p1", MeterNames.SPLIT, "train"), 1e-12);
        assertEquals(0.8, gauge(MeterNames.MONITOR_BEST, MeterNames.RUN, "p1", MeterNames.MONITOR, "val_loss"));
        assertEquals(1.0, gauge(MeterNames.MONITOR_WAIT, MeterNames.RUN, "p1", MeterNames.MONITOR, "val_loss"));
        assertEquals(1.0, gauge(MeterNames.MONITOR_PATIENCE, MeterNames.RUN, "p1", MeterNames.MONITOR, "val_loss"));
        assertEquals(1.0, state("p1", TrainingMetrics.RunState.STOPPED_EARLY));
        assertEquals(0.0, state("p1", TrainingMetrics.RunState.RUNNING));
        assertEquals(1.0, registry.get(MeterNames.STOPS).tags(MeterNames.REASON, "PATIENCE_EXHAUSTED").counter().count());
        assertEquals(1_700_000_000.0, gauge(MeterNames.STOP_TIMESTAMP, MeterNames.RUN, "p1", MeterNames.REASON, "PATIENCE_EXHAUSTED"));
        Meter info = registry.get(MeterNames.RUN_INFO).meter();
        Set<String> infoKeys = new TreeSet<>(MeterNames.INFO_KEYS);
        infoKeys.addAll(Set.of("run", "sweep"));
        assertEquals(infoKeys, info.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet()),
                "every info key, always");
        assertEquals("10", info.getId().getTag("batch_size"));
        assertEquals("", info.getId().getTag("model"), "a key not given is published empty");
        assertEquals("", info.getId().getTag("sweep"), "not in a sweep");
    }

    @Test
    void tracksTheRunState() {
        epochs(1.0, 0.9).transform(binder("done").build()).blockLast();
        assertEquals(1.0, state("done", TrainingMetrics.RunState.COMPLETED));

        StopReport max = StopReport.builder(StopReason.MAX_EPOCHS, 2).build();
        epochs(1.0, 0.9).map(m -> m.epoch() == 2 ? m.withStop(max) : m).transform(binder("max").build()).blockLast();
        assertEquals(1.0, state("max", TrainingMetrics.RunState.COMPLETED));
        assertEquals(1.0, registry.get(MeterNames.STOPS).tags(MeterNames.RUN, "max", MeterNames.REASON, "MAX_EPOCHS").counter().count());

        assertThrows(IllegalStateException.class, () -> epochs(1.0).concatWith(Flux.error(new IllegalStateException("x")))
                .transform(binder("failed").build()).blockLast());
        assertEquals(1.0, state("failed", TrainingMetrics.RunState.FAILED));

        epochs(1.0, 0.9, 0.8).transform(binder("cancelled").build()).take(1).blockLast();
        assertEquals(1.0, state("cancelled", TrainingMetrics.RunState.CANCELLED));

        // a stop rule after the binder ends the stream by cancelling it, once its report went by
        EarlyStopping es = EarlyStopping.builder().patience(0).build();
        epochs(1.0, 1.1, 1.2).transform(binder("downstream").build()).transform(es).blockLast();
        assertEquals(1.0, state("downstream", TrainingMetrics.RunState.CANCELLED),
                "a rule placed after the binder: its report never passed through the binder");
    }

    @Test
    void keepsAFinishedRunForTheRetentionThenRemovesIt() {
        epochs(1.0, 0.9).transform(binder("kept").build()).blockLast();
        int meters = registry.getMeters().size();
        assertTrue(meters > 10);
        clock.advanceTimeBy(Duration.ofMinutes(4));
        assertEquals(meters, registry.getMeters().size(), "still readable within the retention");
        clock.advanceTimeBy(Duration.ofMinutes(2));
        assertEquals(0, registry.getMeters().size(), "removed once the retention ends");
    }

    @Test
    void aRerunUnderTheSameNameReplacesTheOldMeters() {
        TrainingMetrics metrics = binder("again").build();
        epochs(1.0, 0.9, 0.8).transform(metrics).blockLast();
        epochs(5.0).transform(metrics).blockLast();
        assertEquals(1.0, registry.get(MeterNames.EPOCHS).tag(MeterNames.RUN, "again").counter().count());
        assertEquals(5.0, gauge(MeterNames.LOSS, MeterNames.RUN, "again", MeterNames.SPLIT, "validation"));
    }

    @Test
    void everyMeterIsDescribedWithAFixedSetOfTagKeysAndNoTotalSuffix() {
        EarlyStopping es = EarlyStopping.builder().patience(0).build();
        epochs(1.0, 1.1).transform(es).transform(binder("x").monitor(es).build()).blockLast();
        epochs(1.0, 1.1).transform(es).transform(binder("y").monitor(es).build()).blockLast();
        Map<String, Set<String>> keys = new java.util.HashMap<>();
        for (Meter m : registry.getMeters()) {
            assertFalse(m.getId().getDescription() == null || m.getId().getDescription().isBlank(), m.getId().toString());
            assertFalse(m.getId().getName().endsWith(".total"), m.getId().getName());
            assertTrue(m.getId().getName().startsWith("epochflux."), m.getId().getName());
            Set<String> tagKeys = new TreeSet<>();
            m.getId().getTags().forEach(t -> tagKeys.add(t.getKey()));
            Set<String> seen = keys.putIfAbsent(m.getId().getName(), tagKeys);
            assertEquals(seen == null ? tagKeys : seen, tagKeys, "tag keys of " + m.getId().getName());
        }
    }

    @Test
    void gaugesKeepTheirStateAcrossGarbageCollection() {
        epochs(1.0, 0.5).transform(binder("gc").build()).blockLast();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertEquals(0.5, gauge(MeterNames.LOSS, MeterNames.RUN, "gc", MeterNames.SPLIT, "validation"));
    }

    @Test
    void rejectsBadArguments() {
        MeterRegistry r = registry;
        assertEquals("a run name is required: call run(name)",
                assertThrows(IllegalStateException.class, () -> TrainingMetrics.builder(r).build()).getMessage());
        assertEquals("run must not be blank, but was ' '",
                assertThrows(IllegalArgumentException.class, () -> TrainingMetrics.builder(r).run(" ")).getMessage());
        assertEquals("info key must be one of [model, optimizer, learning_rate, batch_size, epochs, seed, stop_rule],"
                + " but was 'momentum'", assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).info("momentum", 0.9)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).tag("run", "x")).getMessage().endsWith("but was 'run'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).tag("app name", "x")).getMessage().endsWith("but was 'app name'"));
        assertEquals("sweep must be empty or not blank, but was ' '", assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).sweep(" ")).getMessage());
        assertThrows(NullPointerException.class, () -> TrainingMetrics.builder(r).follow(null));
        assertThrows(NullPointerException.class, () -> TrainingMetrics.builder(r).monitor(null));
        assertThrows(NullPointerException.class, () -> TrainingMetrics.builder(null));
        assertEquals("retention must not be negative, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).retention(Duration.ofSeconds(-1))).getMessage());
    }

    private static EpochMetrics epoch(int n, double valLoss) {
        return EpochMetrics.of(n, Map.of("loss", valLoss, "accuracy", 0.5, "val_loss", valLoss, "val_accuracy", 0.5));
    }

    private double epochs(MeterRegistry r, String run) {
        return r.get(MeterNames.EPOCHS).tag(MeterNames.RUN, run).counter().count();
    }

    private Set<String> runs() {
        Set<String> runs = new TreeSet<>();
        registry.getMeters().forEach(m -> runs.add(m.getId().getTag(MeterNames.RUN)));
        return runs;
    }

    @Test
    void aSecondLiveRunUnderTheSameNameIsPublishedAsNameHash2AndBothAreRemovedAfterTheirRetention() {
        TrainingMetrics metrics = binder("same").build();
        TestPublisher<EpochMetrics> first = TestPublisher.create();
        TestPublisher<EpochMetrics> second = TestPublisher.create();
        first.flux().transform(metrics).subscribe();
        second.flux().transform(metrics).subscribe();
        first.next(epoch(1, 1.0), epoch(2, 0.9));
        second.next(epoch(1, 3.0));
        assertEquals(2.0, epochs(registry, "same"));
        assertEquals(1.0, epochs(registry, "same#2"), "the second live run gets its own label");
        assertEquals(3.0, gauge(MeterNames.LOSS, MeterNames.RUN, "same#2", MeterNames.SPLIT, "validation"));

        second.complete();
        clock.advanceTimeBy(Duration.ofMinutes(3));
        // the first run stops late: its stop meters are its own and go with it
        first.next(epoch(3, 0.95).withStop(StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 3).build()));
        first.complete();
        assertEquals(1.0, state("same", TrainingMetrics.RunState.STOPPED_EARLY));
        assertEquals(1.0, registry.get(MeterNames.STOPS).tag(MeterNames.RUN, "same").counter().count());
        clock.advanceTimeBy(Duration.ofMinutes(3));
        assertEquals(Set.of("same"), runs(), "same#2 ended first and its retention is over");
        clock.advanceTimeBy(Duration.ofMinutes(3));
        assertEquals(List.of(), registry.getMeters(), "no meter left behind");
    }

    @Test
    void aNewRunTakesTheNameOfAFinishedOneAtOnceWhileAnotherStillRuns() {
        TrainingMetrics metrics = binder("same").build();
        TestPublisher<EpochMetrics> first = TestPublisher.create();
        TestPublisher<EpochMetrics> second = TestPublisher.create();
        TestPublisher<EpochMetrics> third = TestPublisher.create();
        first.flux().transform(metrics).subscribe();
        second.flux().transform(metrics).subscribe();
        first.next(epoch(1, 1.0));
        first.complete();
        third.flux().transform(metrics).subscribe();
        third.next(epoch(1, 7.0));
        assertEquals(7.0, gauge(MeterNames.LOSS, MeterNames.RUN, "same", MeterNames.SPLIT, "validation"),
                "the finished run's meters were replaced by the new run's");
        assertEquals(1.0, state("same", TrainingMetrics.RunState.RUNNING));
        assertEquals(Set.of("same", "same#2"), runs());
        clock.advanceTimeBy(Duration.ofMinutes(10));
        assertEquals(Set.of("same", "same#2"), runs(), "the replaced run's removal does not take its successor's meters");
        second.complete();
        third.complete();
        clock.advanceTimeBy(Duration.ofMinutes(5));
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void aFinishedRunOfAnotherBinderIsReplacedAndItsLaterRemovalLeavesTheNewRunAlone() {
        epochs(1.0).transform(binder("shared").build()).blockLast();
        clock.advanceTimeBy(Duration.ofMinutes(3));
        TestPublisher<EpochMetrics> live = TestPublisher.create();
        live.flux().transform(binder("shared").build()).subscribe();
        live.next(epoch(1, 4.0));
        assertEquals(1.0, epochs(registry, "shared"));
        clock.advanceTimeBy(Duration.ofMinutes(3)); // the first binder's timer fires now
        assertEquals(4.0, gauge(MeterNames.LOSS, MeterNames.RUN, "shared", MeterNames.SPLIT, "validation"));
        assertEquals(1.0, state("shared", TrainingMetrics.RunState.RUNNING));
        live.complete();
        clock.advanceTimeBy(Duration.ofMinutes(5));
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void twoBindersOnOneRegistryGiveConcurrentRunsDistinctNames() {
        TestPublisher<EpochMetrics> a = TestPublisher.create();
        TestPublisher<EpochMetrics> b = TestPublisher.create();
        a.flux().transform(binder("x").build()).subscribe();
        b.flux().transform(binder("x").build()).subscribe();
        assertEquals(Set.of("x", "x#2"), runs());
        a.complete();
        b.complete();
    }

    @Test
    void twoRegistriesDoNotInterfere() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        TestPublisher<EpochMetrics> a = TestPublisher.create();
        TestPublisher<EpochMetrics> b = TestPublisher.create();
        a.flux().transform(binder("x").build()).subscribe();
        b.flux().transform(TrainingMetrics.builder(other).run("x").scheduler(clock).retention(Duration.ZERO).build())
                .subscribe();
        a.next(epoch(1, 1.0));
        b.next(epoch(1, 2.0), epoch(2, 2.0));
        assertEquals(1.0, epochs(registry, "x"), "no state shared between registries: both runs are 'x'");
        assertEquals(2.0, epochs(other, "x"));
        b.complete();
        clock.advanceTimeBy(Duration.ofSeconds(1));
        assertEquals(List.of(), other.getMeters());
        assertEquals(1.0, state("x", TrainingMetrics.RunState.RUNNING), "the other registry's removal left this run");
        a.complete();
    }

    @Test
    void followsStopWhenNoImprovementFor() {
        StopRule rule = StopWhen.noImprovementFor("val_loss", Duration.ofMinutes(1), Mode.AUTO, 0.0, clock);
        TestPublisher<EpochMetrics> p = TestPublisher.create();
        p.flux().transform(rule).transform(binder("time").follow(rule).build()).subscribe();
        p.next(epoch(1, 1.0), epoch(2, 0.8), epoch(3, 0.9), epoch(4, 0.85));
        assertEquals(0.8, gauge(MeterNames.MONITOR_BEST, MeterNames.RUN, "time", MeterNames.MONITOR, "val_loss"));
        assertEquals(2.0, gauge(MeterNames.MONITOR_WAIT, MeterNames.RUN, "time", MeterNames.MONITOR, "val_loss"));
        assertNull(registry.find(MeterNames.MONITOR_PATIENCE).meter(), "its patience is a duration, not epochs");
        p.complete();
    }

    @Test
    void followsEveryMonitoredRuleOfAnAnyOfComposition() {
        EarlyStopping es = EarlyStopping.builder().patience(3).build();
        StopRule rule = StopRule.anyOf(StopWhen.timeBudget(Duration.ofHours(1), clock), es,
                StopWhen.noImprovementFor("val_accuracy", Duration.ofMinutes(1), Mode.AUTO, 0.0, clock));
        epochs(1.0, 0.7, 0.9).transform(rule).transform(binder("any").follow(rule).build()).blockLast();
        assertEquals(0.7, gauge(MeterNames.MONITOR_BEST, MeterNames.RUN, "any", MeterNames.MONITOR, "val_loss"));
        assertEquals(1.0, gauge(MeterNames.MONITOR_WAIT, MeterNames.RUN, "any", MeterNames.MONITOR, "val_loss"));
        assertEquals(3.0, gauge(MeterNames.MONITOR_PATIENCE, MeterNames.RUN, "any", MeterNames.MONITOR, "val_loss"));
        assertEquals(0.15000000000000002,
                gauge(MeterNames.MONITOR_BEST, MeterNames.RUN, "any", MeterNames.MONITOR, "val_accuracy"));
        assertEquals(0.0, gauge(MeterNames.MONITOR_WAIT, MeterNames.RUN, "any", MeterNames.MONITOR, "val_accuracy"));
        assertEquals(Set.of("val_loss"), registry.find(MeterNames.MONITOR_PATIENCE).meters().stream()
                .map(m -> m.getId().getTag(MeterNames.MONITOR)).collect(Collectors.toSet()));
    }

    @Test
    void commonTagsAndTheSweepAreOnEveryMeter() {
        EarlyStopping es = EarlyStopping.builder().patience(0).build();
        epochs(1.0, 1.1).transform(es).transform(binder("c").follow(es).sweep("s1")
                .commonTags(Tags.of("app", "svc")).tag("zone", "eu").build()).blockLast();
        for (Meter m : registry.getMeters()) {
            assertEquals("s1", m.getId().getTag(MeterNames.SWEEP), m.getId().toString());
            assertEquals("svc", m.getId().getTag("app"), m.getId().toString());
            assertEquals("eu", m.getId().getTag("zone"), m.getId().toString());
        }
    }

    @Test
    void aRunWhoseTagKeysDifferFromTheRegistrysRunsIsRefused() {
        TestPublisher<EpochMetrics> a = TestPublisher.create();
        a.flux().transform(binder("a").build()).subscribe();
        int meters = registry.getMeters().size();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> epochs(1.0).transform(binder("b").tag("app", "svc").build()).blockLast());
        assertTrue(e.getMessage().startsWith("common tag keys must be the same for every run in a registry"), e.getMessage());
        assertTrue(e.getMessage().contains("[app, run, state, sweep]"), e.getMessage());
        assertEquals(meters, registry.getMeters().size(), "the refused run left no meter");
        a.complete();
    }

    @Test
    void aStopArrivingAfterTheRunsMetersWereRemovedRegistersNothing() {
        // a source that keeps emitting after a cancel, as a racing producer can
        TestPublisher<EpochMetrics> late = TestPublisher.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);
        reactor.core.Disposable run = late.flux().transform(binder("late").retention(Duration.ZERO).build()).subscribe();
        late.next(epoch(1, 1.0));
        run.dispose();
        clock.advanceTimeBy(Duration.ofSeconds(1));
        assertEquals(List.of(), registry.getMeters(), "removed after the (zero) retention");
        late.next(epoch(2, 0.9).withStop(StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 2).build()));
        assertEquals(List.of(), registry.getMeters(), "the late stop's counter and timestamp were not registered");
    }
}
