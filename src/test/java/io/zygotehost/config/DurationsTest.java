package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void everyUnitParses() {
        // Proves ms, s, m, h and d are read as the matching Duration.
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofHours(6), Durations.parse("6h"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
        assertEquals(Duration.ofSeconds(30), Durations.parse(" 30S "));
    }

    @Test
    void zeroAloneMeansOff() {
        // Proves a bare 0 is allowed, as is 0 with a unit.
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
    }

    @Test
    void bareNumberNeedsAUnit() {
        // Proves a bare non-zero number is refused with a fix that says "write 30s".
        BadValueException e = assertThrows(BadValueException.class, () -> Durations.parse("30"));
        assertTrue(e.getMessage().contains("needs a unit"), e.getMessage());
        assertEquals("write 30s", e.fix());
    }

    @Test
    void garbageIsRefused() {
        // Proves fractions, negatives, unknown units and overflow are refused.
        for (String bad : new String[] {"", "s", "1.5s", "-5s", "5 weeks", "10y", "abc", "99999999999999d",
                "99999999999999999999s"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }

    @Test
    void formatPicksTheLargestExactUnit() {
        // Proves format gives short text that parse reads back.
        assertEquals("0", Durations.format(Duration.ZERO));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("6h", Durations.format(Duration.ofHours(6)));
        assertEquals("2d", Durations.format(Duration.ofDays(2)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        for (String text : new String[] {"500ms", "30s", "10m", "6h", "1d", "1500ms"}) {
            assertEquals(text, Durations.format(Durations.parse(text)));
        }
    }
}
