package io.epochflux.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON form of what a viewer of a run sees, through a plain {@code new ObjectMapper()}. */
class RunEventJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private RunEvent roundTrip(RunEvent event) throws Exception {
        String json = mapper.writeValueAsString(event);
        RunEvent back = mapper.readValue(json, RunEvent.class);
        assertEquals(event, back, json);
        return back;
    }

    @Test
    void theEventsOfACancelledRunReadBackEqual() throws Exception {
        RunHandle handle = RunHandle.builder(Runs.run(100_000)).start();
        handle.watch().take(3).blockLast(Duration.ofMinutes(1));
        handle.cancel();
        List<RunEvent> events = handle.watch().collectList().block(Duration.ofMinutes(1));
        RunEvent end = events.get(events.size() - 1);
        assertEquals(RunEvent.Kind.END, end.kind());
        for (RunEvent e : events) {
            roundTrip(e);
        }
        JsonNode json = mapper.readTree(mapper.writeValueAsString(end));
        assertEquals("END", json.path("kind").textValue());
        assertEquals("CANCELLED", json.path("outcome").path("kind").textValue());
        assertEquals(events.size() - 1, json.path("outcome").path("epochs").intValue());
        assertFalse(json.has("epoch") || json.path("outcome").has("error"), json.toString());
        JsonNode epoch = mapper.readTree(mapper.writeValueAsString(events.get(0)));
        assertEquals(1, epoch.path("epoch").path("epoch").intValue());
        assertFalse(epoch.has("outcome"));
    }

    @Test
    void anEpochWithNaNAndADropRoundTrip() throws Exception {
        RunEvent nan = RunEvent.epoch(EpochMetrics.of(2, Map.of("loss", Double.NaN)));
        assertEquals("NaN", mapper.readTree(mapper.writeValueAsString(nan)).path("epoch").path("values").path("loss").textValue());
        roundTrip(nan);
        assertEquals("{\"kind\":\"DROPPED\"}", mapper.writeValueAsString(RunEvent.dropped()));
        roundTrip(RunEvent.dropped());
    }

    @Test
    void anEventMissingWhatItsKindCarriesIsRefused() {
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> mapper.readValue("{\"kind\":\"END\"}", RunEvent.class));
        assertTrue(e.getMessage().contains("an outcome exactly when it is END, but kind was END with no epoch and no outcome"),
                e.getMessage());
        assertThrows(ValueInstantiationException.class, () -> mapper.readValue(
                "{\"kind\":\"DROPPED\",\"outcome\":" + "{\"kind\":\"COMPLETED\",\"epochs\":1,\"weightsEpoch\":1}}", RunEvent.class));
    }

    @Test
    void aRunsStatusReadsBackEqualBeforeAndAfterItEnds() throws Exception {
        RunHandle handle = RunHandle.builder(Runs.run(100_000)).start();
        RunStatus before = RunStatus.of("7", handle);
        assertTrue(List.of("new", "queued", "training", "waiting").contains(before.state()), before.state());
        handle.watch().take(2).blockLast(Duration.ofMinutes(1));
        handle.cancel();
        handle.watch().blockLast(Duration.ofMinutes(1));
        RunStatus after = RunStatus.of("7", handle);
        assertEquals("cancelled", after.state());
        assertEquals(RunOutcome.Kind.CANCELLED, after.outcome().orElseThrow().kind());
        assertEquals(handle.epochs(), after.lastEpoch().orElseThrow().epoch());
        for (RunStatus s : List.of(before, after)) {
            String json = mapper.writeValueAsString(s);
            assertEquals(s, mapper.readValue(json, RunStatus.class), json);
        }
        JsonNode json = mapper.readTree(mapper.writeValueAsString(after));
        assertEquals(handle.started().toString(), json.path("started").textValue());
        assertEquals("CANCELLED", json.path("outcome").path("kind").textValue());
    }
}
