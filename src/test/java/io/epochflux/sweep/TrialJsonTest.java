package io.epochflux.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.epochflux.TestData;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON forms of what a sweep's viewer sees, through a plain {@code new ObjectMapper()}. */
class TrialJsonTest {

    private static final Split DATA = Mnist.sampleSplit(TestData.sample(), 100, 50, 3);

    private final ObjectMapper mapper = new ObjectMapper();

    private <T> T roundTrip(T value, Class<T> type) throws Exception {
        String json = mapper.writeValueAsString(value);
        T back = mapper.readValue(json, type);
        assertEquals(value, back, json);
        return back;
    }

    @Test
    void everyEventOfARealPrunedSweepReadsBackEqual() throws Exception {
        List<TrialConfig> grid = SearchSpace.builder().hidden(List.of(List.of(2), List.of(4))).learningRates(List.of(0.01, 0.1))
                .build().grid();
        List<TrialEvent> events = Sweep.builder(grid, DATA.train(), DATA.validation())
                .pruner(Pruner.successiveHalving(2, 2)).epochs(6).seed(5).build().events().collectList()
                .block(Duration.ofMinutes(2));
        Set<TrialEvent.Kind> kinds = EnumSet.noneOf(TrialEvent.Kind.class);
        for (TrialEvent e : events) {
            kinds.add(e.kind());
            TrialEvent back = roundTrip(e, TrialEvent.class);
            assertEquals(e.stop(), back.stop());
            assertEquals(e.rung(), back.rung());
        }
        assertEquals(EnumSet.allOf(TrialEvent.Kind.class), kinds, "every kind was read back");
        TrialEvent pruned = events.stream().filter(e -> e.kind() == TrialEvent.Kind.PRUNED).findFirst().orElseThrow();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(pruned));
        assertEquals("PRUNED", json.path("kind").textValue());
        assertEquals("PRUNED", json.path("stop").path("reason").textValue());
        assertEquals(pruned.rung().getAsInt(), json.path("rung").intValue());
        assertEquals("relu", json.path("trial").path("config").path("activation").textValue());
        assertFalse(json.path("trial").path("config").has("patience"), "no patience: left out");
    }

    @Test
    void aResultWithoutAValidationLossWritesNaNAsAStringAndReadsBackEqual() throws Exception {
        Trial trial = new Trial(4, "trial-004", new TrialConfig(List.of(8, 4), Activation.TANH, "adam", 0.001, 0,
                32, OptionalInt.of(3)));
        TrialResult result = new TrialResult(trial, History.of(List.of(EpochMetrics.of(1, Map.of("loss", 1.5)),
                EpochMetrics.of(2, Map.of("loss", Double.NaN)))), -1);
        JsonNode json = mapper.readTree(mapper.writeValueAsString(result));
        assertEquals("NaN", json.path("bestValLoss").textValue());
        assertFalse(json.has("bestEpoch") || json.has("prunedAtRung"), json.toString());
        assertEquals(2, json.path("epochs").intValue());
        assertFalse(json.path("pruned").booleanValue());
        assertEquals("NaN", json.path("history").path("epochs").path(1).path("values").path("loss").textValue());
        assertEquals(3, json.path("trial").path("config").path("patience").intValue());
        TrialResult back = roundTrip(result, TrialResult.class);
        assertTrue(Double.isNaN(back.bestValLoss()));
        assertEquals(OptionalInt.of(3), back.trial().config().patience());
    }

    @Test
    void whatAKindMustCarryIsCheckedNamingIt() {
        String trial = "{\"index\":0,\"name\":\"trial-000\",\"config\":{\"hidden\":[2],\"activation\":\"relu\","
                + "\"optimizer\":\"sgd\",\"learningRate\":0.01,\"batchSize\":10}}";
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> mapper.readValue("{\"kind\":\"EPOCH\",\"trial\":" + trial + "}", TrialEvent.class));
        assertTrue(e.getMessage().contains("epoch must be given for a EPOCH event, but was absent"), e.getMessage());
        ValueInstantiationException bad = assertThrows(ValueInstantiationException.class,
                () -> mapper.readValue(trial.replace("[2]", "[0]"), Trial.class));
        assertTrue(bad.getMessage().contains("hidden must be non-empty widths >= 1, but was [0]"), bad.getMessage());
    }
}
