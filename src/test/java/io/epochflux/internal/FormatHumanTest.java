package io.epochflux.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatHumanTest {

    @Test
    void printsDurationsAsPeopleWriteThemNotIso() {
        assertEquals("233ms", Format.human(Duration.parse("PT0.232515023S")));
        assertEquals("412us", Format.human(Duration.ofNanos(412_000)));
        assertEquals("1.5s", Format.human(Duration.ofMillis(1500)));
        assertEquals("2s", Format.human(Duration.ofSeconds(2)));
        assertEquals("12.3s", Format.human(Duration.ofMillis(12_340)));
        assertEquals("1m30s", Format.human(Duration.ofSeconds(90)));
        assertEquals("10m", Format.human(Duration.ofMinutes(10)));
        assertEquals("1h5m", Format.human(Duration.ofMinutes(65)));
        assertEquals("2h", Format.human(Duration.ofHours(2)));
        assertEquals("-1s", Format.human(Duration.ofSeconds(-1)));
        assertEquals("0ns", Format.human(Duration.ZERO));
        assertEquals("72h", Format.human(Duration.ofDays(3)));
    }
}
