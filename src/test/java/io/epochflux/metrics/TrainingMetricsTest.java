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
import reactor.core.publisher.Flux;
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
                .transform(binder("p1").monitor(es).configuration("optimizer", "sgd").configuration("batch_size", 10).build())
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
        assertEquals(Set.of("run", "optimizer", "batch_size"), info.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet()));
        assertEquals("10", info.getId().getTag("batch_size"));
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
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).configuration("batch size", 1)).getMessage().contains("'batch size'"));
        assertThrows(NullPointerException.class, () -> TrainingMetrics.builder(null));
        assertEquals("retention must not be negative, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> TrainingMetrics.builder(r).retention(Duration.ofSeconds(-1))).getMessage());
    }
}
