package io.epochflux.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryBudgetTest {

    @Test
    void formatsByteCountsForPeople() {
        assertEquals("512 B", MemoryBudget.bytes(512));
        assertEquals("1.5 kB", MemoryBudget.bytes(1500));
        assertEquals("6.3 GB", MemoryBudget.bytes(20_000L * 280 * 280 * 4));
        assertEquals("1.0 MB", MemoryBudget.bytes(999_960));
        assertEquals("9.2 EB", MemoryBudget.bytes(Long.MAX_VALUE));
    }

    @Test
    void productSaturatesInsteadOfOverflowing() {
        assertEquals(6, MemoryBudget.product(1, 2, 3));
        assertEquals(Long.MAX_VALUE, MemoryBudget.product(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void refusesWhatTheHeapCannotHoldNamingTheFigures() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryBudget.checkFits("a thing", Runtime.getRuntime().maxMemory(), "make it smaller"));
        assertTrue(e.getMessage().startsWith("a thing needs "), e.getMessage());
        assertTrue(e.getMessage().contains(", but the heap has ") && e.getMessage().endsWith("raise -Xmx or make it smaller"),
                e.getMessage());
        assertDoesNotThrow(() -> MemoryBudget.checkFits("a small thing", 1 << 20, "never"));
    }

    @Test
    void keepsAMarginOfAtLeast64MiB() {
        assertTrue(MemoryBudget.margin() >= 64L << 20);
        assertTrue(MemoryBudget.free(0) <= Runtime.getRuntime().maxMemory() - MemoryBudget.margin());
    }
}
