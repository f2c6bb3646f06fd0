package io.epochflux.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON forms of the stream's values, through a plain {@code new ObjectMapper()}: no module registered. */
class JsonFormTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private <T> T roundTrip(T value, Class<T> type) throws Exception {
        T back = mapper.readValue(mapper.writeValueAsString(value), type);
        assertEquals(value, back, mapper.writeValueAsString(value));
        return back;
    }

    private static EpochMetrics epochWithNonFiniteValues() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", 0.52);
        values.put("accuracy", 0.81);
        values.put("val_loss", Double.NaN);
        values.put("val_accuracy", Double.POSITIVE_INFINITY);
        values.put("learning_rate", Double.NEGATIVE_INFINITY);
        return EpochMetrics.of(3, values, () -> { }).withDuration(Duration.ofNanos(12_345_678));
    }

    @Test
    void anEpochWithNanAndInfiniteValuesRoundTripsWithTheNonFiniteOnesAsStrings() throws Exception {
        EpochMetrics epoch = epochWithNonFiniteValues();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(epoch));
        assertEquals(3, json.path("epoch").intValue());
        assertTrue(json.path("values").path("loss").isNumber());
        assertEquals(0.52, json.path("values").path("loss").doubleValue());
        assertEquals("NaN", json.path("values").path("val_loss").textValue());
        assertEquals("Infinity", json.path("values").path("val_accuracy").textValue());
        assertEquals("-Infinity", json.path("values").path("learning_rate").textValue());
        assertEquals(12.345678, json.path("durationMs").doubleValue());
        assertFalse(json.has("stop"), "no stop: left out");
        assertFalse(json.has("snapshot"), "a snapshot is a handle, never written");
        assertEquals(List.of("epoch", "values", "durationMs"), fieldNames(json));

        EpochMetrics back = roundTrip(epoch, EpochMetrics.class);
        assertTrue(back.snapshot().isEmpty());
        assertTrue(Double.isNaN(back.value("val_loss").getAsDouble()));
        assertEquals(List.copyOf(epoch.values().keySet()), List.copyOf(back.values().keySet()), "order kept");
        assertEquals(Duration.ofNanos(12_345_678), back.duration());
    }

    @Test
    void anEpochCarryingAStopRoundTrips() throws Exception {
        EpochMetrics epoch = EpochMetrics.of(7, Map.of("val_loss", 0.3))
                .withStop(StopReport.builder(StopReason.NON_FINITE, 7).rule("r").monitor("val_loss").build());
        EpochMetrics back = roundTrip(epoch, EpochMetrics.class);
        assertEquals("NON_FINITE", mapper.readTree(mapper.writeValueAsString(epoch)).path("stop").path("reason").textValue());
        assertEquals(epoch.stop(), back.stop());
    }

    @Test
    void anEpochWithoutADurationReadsAsZero() throws Exception {
        EpochMetrics back = mapper.readValue("{\"epoch\":1,\"values\":{\"loss\":1}}", EpochMetrics.class);
        assertEquals(EpochMetrics.of(1, Map.of("loss", 1.0)), back);
        assertEquals(Duration.ZERO, back.duration());
    }

    @Test
    void aValueThatIsNeitherANumberNorANonFiniteNameIsRefused() {
        InvalidFormatException e = assertThrows(InvalidFormatException.class,
                () -> mapper.readValue("{\"epoch\":1,\"values\":{\"loss\":\"nan\"}}", EpochMetrics.class));
        assertTrue(e.getMessage().contains("\"NaN\", \"Infinity\", \"-Infinity\""), e.getMessage());
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"values\":{}}", EpochMetrics.class),
                "the epoch is required");
    }

    @Test
    void aStopReportWithBestAndRestoredEpochRoundTrips() throws Exception {
        StopReport report = StopReport.builder(StopReason.PATIENCE_EXHAUSTED, 34)
                .rule("EarlyStopping(monitor=val_loss, mode=min, patience=30)")
                .monitor("val_loss").best(4, 0.3127).restoredFromEpoch(4)
                .message("val_loss did not improve for 30 epochs").build();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(report));
        assertEquals(List.of("reason", "epoch", "rule", "monitor", "bestEpoch", "bestValue", "restoredFromEpoch",
                "message"), fieldNames(json));
        assertEquals("PATIENCE_EXHAUSTED", json.path("reason").textValue(), "a reason is its name");
        assertEquals(0.3127, json.path("bestValue").doubleValue());
        roundTrip(report, StopReport.class);
    }

    @Test
    void aStopReportWithoutBestOrRestoredEpochLeavesThemOutAndReadsThemBackAsAbsent() throws Exception {
        StopReport report = StopReport.builder(StopReason.TIME_BUDGET, 9).rule("StopWhen.timeBudget(PT1M)").build();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(report));
        assertEquals(List.of("reason", "epoch", "rule", "message"), fieldNames(json));
        StopReport back = roundTrip(report, StopReport.class);
        assertTrue(back.monitor().isEmpty() && back.bestEpoch().isEmpty() && back.bestValue().isEmpty()
                && back.restoredFromEpoch().isEmpty());
    }

    @Test
    void aStopReportWithANonFiniteBestValueRoundTrips() throws Exception {
        StopReport report = StopReport.builder(StopReason.of("CUSTOM_REASON"), 2).best(1, Double.NEGATIVE_INFINITY).build();
        assertEquals("-Infinity", mapper.readTree(mapper.writeValueAsString(report)).path("bestValue").textValue());
        roundTrip(report, StopReport.class);
    }

    @Test
    void aStopReasonIsItsNameAsAJsonString() throws Exception {
        assertEquals("\"DIVERGED\"", mapper.writeValueAsString(StopReason.DIVERGED));
        assertEquals(StopReason.of("SLOW_GAINS"), mapper.readValue("\"SLOW_GAINS\"", StopReason.class));
        assertThrows(Exception.class, () -> mapper.readValue("\"not upper\"", StopReason.class));
    }

    @Test
    void aHistoryWithAStopRoundTrips() throws Exception {
        StopReport stop = StopReport.builder(StopReason.NON_FINITE, 2).rule("StopWhen.nonFinite(any metric)")
                .monitor("val_loss").message("val_loss became NaN at epoch 2").build();
        History history = History.of(List.of(
                EpochMetrics.of(1, Map.of("loss", 0.9, "val_loss", 0.8)).withDuration(Duration.ofMillis(12)),
                EpochMetrics.of(2, Map.of("loss", 0.7, "val_loss", Double.NaN)).withDuration(Duration.ofMillis(11))
                        .withStop(stop)));
        JsonNode json = mapper.readTree(mapper.writeValueAsString(history));
        assertEquals(List.of("epochs", "stop"), fieldNames(json));
        assertEquals("NON_FINITE", json.path("stop").path("reason").textValue());
        History back = roundTrip(history, History.class);
        assertEquals(history.stop(), back.stop());
        assertEquals(2, back.size());
    }

    @Test
    void anEmptyHistoryRoundTripsWithoutAStop() throws Exception {
        History empty = History.of(List.of());
        assertEquals("{\"epochs\":[]}", mapper.writeValueAsString(empty));
        roundTrip(empty, History.class);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
