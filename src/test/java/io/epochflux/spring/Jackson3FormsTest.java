package io.epochflux.spring;

import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.runs.RunEvent;
import io.epochflux.runs.RunHandle;
import io.epochflux.runs.RunStatus;
import io.epochflux.sweep.TrialEvent;
import io.epochflux.sweep.TrialResult;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.RunOutcome;
import io.epochflux.train.StopReport;
import io.epochflux.train.Trainer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Boot 4's JSON is Jackson 3 ({@code tools.jackson}): it reads the annotations Jackson 2 and 3
 * share, not Jackson 2's own {@code @JsonSerialize}. Every value a controller may return is written
 * by a plain Jackson 3 mapper exactly as by a plain Jackson 2 one (NaN and infinities as strings
 * included), and each reads the other's text back equal, so a Boot 4 application needs no
 * {@code spring-boot-jackson2} for them.
 */
class Jackson3FormsTest {

    private static final Split SPLIT = TestData.seedSplit();

    private final com.fasterxml.jackson.databind.ObjectMapper jackson2 = new com.fasterxml.jackson.databind.ObjectMapper();
    private final tools.jackson.databind.ObjectMapper jackson3 = JsonMapper.builder().build();

    private <T> void sameForm(T value, Class<T> type) throws Exception {
        String two = jackson2.writeValueAsString(value);
        String three = jackson3.writeValueAsString(value);
        assertEquals(two, three, "Jackson 3 writes " + type.getSimpleName() + " as Jackson 2 does");
        assertEquals(value, jackson3.readValue(two, type), "Jackson 3 reads Jackson 2's " + type.getSimpleName() + " back");
        assertEquals(value, jackson2.readValue(three, type), "Jackson 2 reads Jackson 3's " + type.getSimpleName() + " back");
    }

    @Test
    void aRealRunsEventsAndStatusHaveOneForm() throws Exception {
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1).build();
        RunHandle handle = RunHandle.builder(Trainer.builder().epochs(100_000).batchSize(10).optimizer(Optimizer.sgd(0.01))
                .seed(10).build().run(model, SPLIT.train().slice(0, 50), SPLIT.validation().slice(0, 20))).start();
        handle.watch().take(3).blockLast(Duration.ofMinutes(1));
        handle.cancel();
        List<RunEvent> events = handle.watch().collectList().block(Duration.ofMinutes(1));
        for (RunEvent e : events) {
            sameForm(e, RunEvent.class);
        }
        sameForm(events.get(events.size() - 1).outcome().orElseThrow(), RunOutcome.class);
        sameForm(RunStatus.of("1", handle), RunStatus.class);
        sameForm(handle.history(), History.class);
    }

    @Test
    void nonFiniteValuesErrorsAndSweepsHaveOneForm() throws Exception {
        String stop = "{\"reason\":\"PRUNED\",\"epoch\":4,\"rule\":\"median\",\"monitor\":\"val_loss\",\"bestEpoch\":2,"
                + "\"bestValue\":\"NaN\",\"message\":\"pruned\"}";
        String epoch = "{\"epoch\":4,\"values\":{\"loss\":\"Infinity\",\"val_loss\":\"NaN\",\"lr\":\"-Infinity\",\"acc\":0.5},"
                + "\"durationMs\":1.25,\"stop\":" + stop + "}";
        String trial = "{\"index\":3,\"name\":\"trial-003\",\"config\":{\"hidden\":[8,4],\"activation\":\"tanh\","
                + "\"optimizer\":\"adam\",\"learningRate\":0.001,\"momentum\":0.0,\"batchSize\":32,\"patience\":2}}";
        String result = "{\"trial\":" + trial + ",\"prunedAtRung\":0,\"history\":{\"epochs\":[" + epoch + "]}}";
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {jackson2.readValue(epoch, EpochMetrics.class), EpochMetrics.class});
        values.add(new Object[] {jackson2.readValue(stop, StopReport.class), StopReport.class});
        values.add(new Object[] {jackson2.readValue("{\"kind\":\"FAILED\",\"epochs\":3,\"weightsEpoch\":3,\"error\":"
                + "{\"type\":\"io.epochflux.train.TrainingException\",\"message\":\"epoch 4 failed\"}}", RunOutcome.class),
                RunOutcome.class});
        values.add(new Object[] {jackson2.readValue(result, TrialResult.class), TrialResult.class});
        values.add(new Object[] {jackson2.readValue("{\"kind\":\"PRUNED\",\"trial\":" + trial + ",\"stop\":" + stop
                + ",\"rung\":0}", TrialEvent.class), TrialEvent.class});
        values.add(new Object[] {jackson2.readValue("{\"kind\":\"FINISHED\",\"trial\":" + trial + ",\"result\":" + result + "}",
                TrialEvent.class), TrialEvent.class});
        for (Object[] v : values) {
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>) v[1];
            sameForm(v[0], type);
        }
    }
}
