package io.epochflux.metrics;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.runs.RunEvent;
import io.epochflux.runs.RunHandle;
import io.epochflux.schedule.LearningRateSchedule;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.MissingMetric;
import io.epochflux.stop.Mode;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.Trainer;
import io.epochflux.train.TrainingRun;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The meters of real training runs, read as Prometheus reads them: the text of a scrape of a
 * {@link PrometheusMeterRegistry}. The run state is the run's own outcome, the info gauge the run's
 * own configuration, and a value a run does not have is absent, not NaN.
 */
class TrainingMetricsScrapeTest {

    private static final Split SPLIT = TestData.seedSplit();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{(.*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @AfterEach
    void close() {
        registry.close();
    }

    private static Trainer trainer(int epochs) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build();
    }

    private static Sequential model() {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1).build();
    }

    private static TrainingRun run(int epochs) {
        return trainer(epochs).run(model(), SPLIT.train().slice(0, 50), SPLIT.validation().slice(0, 20));
    }

    private TrainingMetrics binder(String run) {
        return TrainingMetrics.builder(registry).run(run).build();
    }

    /** One sample of the scrape: its labels and value. */
    private record Sample(String name, Map<String, String> labels, String value) {
    }

    private List<Sample> scrape() {
        List<Sample> samples = new ArrayList<>();
        for (String line : registry.scrape().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                Map<String, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                samples.add(new Sample(m.group(1), labels, m.group(3)));
            }
        }
        return samples;
    }

    /** @return the state whose gauge reads 1 for the run; fails unless exactly one does */
    private String state(String run) {
        List<String> on = new ArrayList<>();
        for (Sample s : scrape()) {
            if (s.name().equals("epochflux_run_state") && run.equals(s.labels().get("run"))
                    && Double.parseDouble(s.value()) == 1.0) {
                on.add(s.labels().get("state"));
            }
        }
        assertEquals(1, on.size(), "one state is 1 for run " + run + ": " + on + "\n" + registry.scrape());
        return on.get(0);
    }

    private Sample only(String name, String run) {
        List<Sample> found = scrape().stream().filter(s -> s.name().equals(name) && run.equals(s.labels().get("run")))
                .toList();
        assertEquals(1, found.size(), name + " of run " + run + ":\n" + registry.scrape());
        return found.get(0);
    }

    /** Starts a handle and reads its viewer to the end: the binder has seen the stream end by then. */
    private static RunOutcome watchToTheEnd(RunHandle handle) {
        RunEvent last = handle.watch().blockLast(TIMEOUT);
        assertEquals(RunEvent.Kind.END, last.kind(), "the viewer saw the end");
        return last.outcome().orElseThrow();
    }

    @Test
    void aRunCancelledThroughItsHandleIsPublishedCancelled() {
        TrainingMetrics metrics = binder("cancelled");
        RunHandle handle = RunHandle.builder(run(100_000)).pipeline(f -> f.transform(metrics)).start();
        handle.watch().filter(e -> e.kind() == RunEvent.Kind.EPOCH).take(2).blockLast(TIMEOUT);
        assertEquals("running", state("cancelled"));
        handle.cancel();
        RunOutcome outcome = watchToTheEnd(handle);
        assertEquals(RunOutcome.Kind.CANCELLED, outcome.kind());
        assertEquals("cancelled", state("cancelled"), "the run's outcome, though its stream completed");
    }

    @Test
    void aRunThatUsesEveryEpochIsPublishedCompleted() {
        RunOutcome outcome = watchToTheEnd(RunHandle.builder(run(3)).pipeline(f -> f.transform(binder("all"))).start());
        assertEquals(RunOutcome.Kind.COMPLETED, outcome.kind());
        assertEquals("completed", state("all"));
    }

    @Test
    void aRunStoppedByARuleIsPublishedStoppedEarlyWhereverTheRuleIs() {
        // a baseline nothing reaches: the rule stops at epoch 1
        EarlyStopping es = EarlyStopping.builder().patience(0).baseline(0.0).build();
        watchToTheEnd(RunHandle.builder(run(50)).pipeline(f -> f.transform(es).transform(binder("before"))).start());
        assertEquals("stopped_early", state("before"));
        // after the binder the rule's report never passes through it: the run's outcome says it
        RunOutcome after = watchToTheEnd(RunHandle.builder(run(50))
                .pipeline(f -> f.transform(binder("after")).transform(es)).start());
        assertEquals(RunOutcome.Kind.STOPPED_EARLY, after.kind());
        assertEquals("stopped_early", state("after"));
    }

    @Test
    void aStreamThatFailsIsPublishedFailedThoughTheRunWasOnlyCancelled() {
        EarlyStopping missing = EarlyStopping.builder().monitor("val_auc_pr").mode(Mode.MAX).patience(3).build();
        assertThrows(RuntimeException.class, () -> trainer(50).fit(model(), SPLIT.train().slice(0, 50),
                SPLIT.validation().slice(0, 20)).transform(missing).transform(binder("failing")).blockLast(TIMEOUT));
        assertEquals("failed", state("failing"));
    }

    @Test
    void aCancelBySubscriberIsPublishedCancelled() {
        trainer(50).fit(model(), SPLIT.train().slice(0, 50), SPLIT.validation().slice(0, 20))
                .transform(binder("taken")).take(2).blockLast(TIMEOUT);
        // take's cancel reaches the run on the run's thread: its outcome is there when blockLast returns,
        // and the binder sets its state from it on that thread, before take completes
        assertEquals("cancelled", state("taken"));
    }

    @Test
    void theInfoGaugeCarriesTheRunsRealConfiguration() {
        EarlyStopping es = EarlyStopping.builder().patience(0).baseline(0.0).build();
        watchToTheEnd(RunHandle.builder(run(50)).pipeline(f -> f.transform(es).transform(binder("info"))).start());
        Map<String, String> labels = only("epochflux_run_info", "info").labels();
        assertEquals("784-2(relu)-10(softmax)", labels.get("model"));
        assertEquals("sgd", labels.get("optimizer"));
        assertEquals("0.01", labels.get("learning_rate"));
        assertEquals("10", labels.get("batch_size"));
        assertEquals("50", labels.get("epochs"));
        assertEquals("10", labels.get("seed"));
        assertEquals(es.describe(), labels.get("stop_rule"));

        TrainingMetrics given = TrainingMetrics.builder(registry).run("given").info("model", "my-name").build();
        watchToTheEnd(RunHandle.builder(run(1)).pipeline(f -> f.transform(given)).start());
        Map<String, String> mine = only("epochflux_run_info", "given").labels();
        assertEquals("my-name", mine.get("model"), "a key given to the binder wins");
        assertEquals("none", mine.get("stop_rule"), "no stop rule in the stream");
        assertEquals("1", mine.get("epochs"));
    }

    @Test
    void theInfoOfAHandMadeStreamIsWhatTheBinderWasGiven() {
        Flux.just(io.epochflux.train.EpochMetrics.of(1, Map.of("loss", 1.0)))
                .transform(TrainingMetrics.builder(registry).run("hand").info("seed", 3).build()).blockLast(TIMEOUT);
        Map<String, String> labels = only("epochflux_run_info", "hand").labels();
        assertEquals("3", labels.get("seed"));
        assertEquals("", labels.get("model"), "no run upstream to read it from");
    }

    @Test
    void aValueTheRunDoesNotHaveIsAbsentNotNaN() {
        watchToTheEnd(RunHandle.builder(trainer(2).run(model(), SPLIT.train().slice(0, 50), null))
                .pipeline(f -> f.transform(binder("plain"))).start());
        List<Sample> plain = scrape().stream().filter(s -> "plain".equals(s.labels().get("run"))).toList();
        assertTrue(plain.stream().anyMatch(s -> s.name().equals("epochflux_loss")), registry.scrape());
        assertFalse(plain.stream().anyMatch(s -> s.name().equals("epochflux_learning_rate")),
                "no learning-rate operator, no learning-rate gauge:\n" + registry.scrape());
        assertFalse(plain.stream().anyMatch(s -> "validation".equals(s.labels().get("split"))),
                "no validation set, no validation gauges:\n" + registry.scrape());
        assertEquals(List.of(), plain.stream().filter(s -> s.value().equals("NaN")).toList(), registry.scrape());

        // a rule following a metric the run never has: no best, no wait, no patience
        EarlyStopping onValidation = EarlyStopping.builder().monitor("val_loss").onMissingMetric(MissingMetric.SKIP).build();
        watchToTheEnd(RunHandle.builder(trainer(2).run(model(), SPLIT.train().slice(0, 50), null))
                .pipeline(f -> f.transform(onValidation).transform(TrainingMetrics.builder(registry).run("unseen")
                        .follow(onValidation).build())).start());
        assertFalse(scrape().stream().anyMatch(s -> "unseen".equals(s.labels().get("run")) && s.name().startsWith("epochflux_monitor")),
                registry.scrape());
        watchToTheEnd(RunHandle.builder(run(2)).pipeline(f -> f.transform(onValidation).transform(TrainingMetrics.builder(registry)
                .run("seen").follow(onValidation).build())).start());
        assertEquals(3, scrape().stream().filter(s -> "seen".equals(s.labels().get("run")) && s.name().startsWith("epochflux_monitor"))
                .count(), "best, wait and patience once the metric is there:\n" + registry.scrape());

        Function<Flux<io.epochflux.train.EpochMetrics>, Flux<io.epochflux.train.EpochMetrics>> schedule =
                LearningRateSchedule.of("halve", (epoch, lr) -> lr / 2);
        watchToTheEnd(RunHandle.builder(run(2)).pipeline(f -> f.transform(schedule).transform(binder("steered"))).start());
        assertEquals(String.valueOf((double) 0.0025f), only("epochflux_learning_rate", "steered").value(),
                "the rate in force during epoch 2");
    }
}
