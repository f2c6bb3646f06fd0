package io.epochflux.runs;

import io.epochflux.train.RunOutcome;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunRegistryTest {

    private static final Duration WAIT = Duration.ofMinutes(1);

    @Test
    void givesIdsListsFindsAndRetiresFinishedRunsAfterTheRetention() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        RunRegistry registry = RunRegistry.create(Duration.ofMinutes(10), time);
        RunHandle a = RunHandle.builder(Runs.run(3)).start();
        RunHandle b = RunHandle.builder(Runs.run(100_000)).start();
        String ida = registry.add(a);
        String idb = registry.add(b);
        assertEquals(List.of(ida, idb), List.copyOf(registry.list().keySet()));
        assertEquals(a, registry.get(ida).orElseThrow());
        a.outcome().block(WAIT);
        assertEquals(1, registry.active());

        time.advanceTimeBy(Duration.ofMinutes(9));
        assertTrue(registry.get(ida).isPresent(), "kept within the retention");
        time.advanceTimeBy(Duration.ofMinutes(1));
        assertTrue(registry.get(ida).isEmpty(), "retired after it");
        assertTrue(registry.get(idb).isPresent(), "a live run is never retired");

        assertTrue(registry.cancel(idb));
        assertEquals(RunOutcome.Kind.CANCELLED, b.outcome().block(WAIT).kind());
        assertTrue(registry.get(idb).isPresent(), "a cancelled run stays for its retention");
        time.advanceTimeBy(Duration.ofMinutes(10));
        assertEquals(0, registry.size());
        assertFalse(registry.cancel(idb));
    }

    @Test
    void removesByHandAndCancelsEverything() {
        RunRegistry registry = RunRegistry.create(Duration.ofMinutes(1), VirtualTimeScheduler.create());
        RunHandle a = RunHandle.builder(Runs.run(100_000)).start();
        String id = registry.add(a);
        registry.cancelAll();
        assertEquals(RunOutcome.Kind.CANCELLED, a.outcome().block(WAIT).kind());
        assertEquals(a, registry.remove(id).orElseThrow());
        assertTrue(registry.remove(id).isEmpty());
    }

    @Test
    void twoRegistriesShareNothing() {
        RunRegistry one = RunRegistry.create(Duration.ZERO, VirtualTimeScheduler.create());
        RunRegistry two = RunRegistry.create(Duration.ZERO, VirtualTimeScheduler.create());
        RunHandle a = RunHandle.builder(Runs.run(1)).start();
        assertEquals("1", one.add(a));
        assertEquals(0, two.size());
        assertEquals("1", two.add(a));
    }

    @Test
    void rejectsBadArguments() {
        assertEquals("retention must be >= 0, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> RunRegistry.create(Duration.ofSeconds(-1), VirtualTimeScheduler.create())).getMessage());
        assertThrows(NullPointerException.class, () -> RunRegistry.create(null, VirtualTimeScheduler.create()));
        RunRegistry r = RunRegistry.create(Duration.ZERO, VirtualTimeScheduler.create());
        assertThrows(NullPointerException.class, () -> r.add(null));
        assertThrows(NullPointerException.class, () -> r.get(null));
    }
}
