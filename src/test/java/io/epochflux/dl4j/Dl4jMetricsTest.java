package io.epochflux.dl4j;

import io.epochflux.data.Split;
import io.epochflux.metrics.MeterNames;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Micrometer binder on a DL4J run: its meters carry the figures the run's epochs carry. */
class Dl4jMetricsTest {

    private static final Split SPLIT = Dl4jNets.small();
    private static final int EPOCHS = 3;

    @Test
    void theMetersCarryTheDl4jRunsLossAccuracyAndEpochs() {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MultiLayerNetwork net = Dl4jNets.dense(61, new Adam(1e-3), 16);
        Dl4jModel model = Dl4jModel.of(net);
        List<EpochMetrics> epochs = Trainer.builder().epochs(EPOCHS).batchSize(30).seed(2).build()
                .fit(model, SPLIT.train(), SPLIT.validation())
                .transform(TrainingMetrics.builder(simple).run("dl4j").info(MeterNames.INFO_MODEL, model.describe()).build())
                .transform(TrainingMetrics.builder(prometheus).run("dl4j").build())
                .collectList().block(Duration.ofMinutes(1));
        EpochMetrics last = epochs.get(EPOCHS - 1);

        assertEquals(last.value("loss").orElseThrow(), gauge(simple, MeterNames.LOSS, "train"));
        assertEquals(last.value("val_loss").orElseThrow(), gauge(simple, MeterNames.LOSS, "validation"));
        assertEquals(last.value("accuracy").orElseThrow(), gauge(simple, MeterNames.ACCURACY, "train"));
        assertEquals(last.value("val_accuracy").orElseThrow(), gauge(simple, MeterNames.ACCURACY, "validation"));
        assertEquals(EPOCHS, simple.get(MeterNames.EPOCHS).tag(MeterNames.RUN, "dl4j").counter().count());
        assertEquals(EPOCHS, simple.get(MeterNames.EPOCH).tag(MeterNames.RUN, "dl4j").gauge().value());
        assertEquals(EPOCHS, simple.get(MeterNames.EPOCH_DURATION).tag(MeterNames.RUN, "dl4j").timer().count());
        assertEquals(1.0, simple.get(MeterNames.RUN_STATE)
                .tags(MeterNames.RUN, "dl4j", MeterNames.STATE, TrainingMetrics.RunState.COMPLETED.tag()).gauge().value());
        assertEquals("MultiLayerNetwork[DenseLayer(16)-OutputLayer(10)]",
                simple.get(MeterNames.RUN_INFO).meter().getId().getTag(MeterNames.INFO_MODEL));

        String scrape = prometheus.scrape();
        assertEquals(last.value("val_loss").orElseThrow(), scraped(scrape, "epochflux_loss", "validation"), scrape);
        assertEquals(last.value("accuracy").orElseThrow(), scraped(scrape, "epochflux_accuracy_ratio", "train"), scrape);
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String split) {
        return registry.get(name).tags(MeterNames.RUN, "dl4j", MeterNames.SPLIT, split).gauge().value();
    }

    /** The value of the one sample of a series with run="dl4j" and the split in a Prometheus scrape. */
    private static double scraped(String scrape, String name, String split) {
        List<String> lines = scrape.lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("run=\"dl4j\"") && l.contains("split=\"" + split + "\""))
                .toList();
        assertEquals(1, lines.size(), scrape);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
