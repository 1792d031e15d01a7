package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void unitsAreBinaryAndCaseInsensitive() {
        // Proves k/m/g/t mean powers of 1024 whatever their case.
        assertEquals(1024, Sizes.parse("1k"));
        assertEquals(64L << 20, Sizes.parse("64m"));
        assertEquals(64L << 20, Sizes.parse("64M"));
        assertEquals(2L << 30, Sizes.parse("2g"));
        assertEquals(1L << 40, Sizes.parse("1T"));
    }

    @Test
    void iecUnitsAndBareBytesAreAccepted() {
        // Proves KiB/MiB/GiB/TiB spellings and a bare integer (bytes) parse.
        assertEquals(512L << 20, Sizes.parse("512MiB"));
        assertEquals(3L << 10, Sizes.parse("3kib"));
        assertEquals(1L << 30, Sizes.parse("1GiB"));
        assertEquals(5L << 40, Sizes.parse("5TiB"));
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(0, Sizes.parse("0"));
        assertEquals(100, Sizes.parse("100b"));
    }

    @Test
    void fractionsRoundToWholeBytes() {
        // Proves "1.5g" parses, so format's output can be read back.
        assertEquals(3L << 29, Sizes.parse("1.5g"));
        assertEquals(1536, Sizes.parse("1.5k"));
    }

    @Test
    void decimalLookingUnitsAreRefusedWithABinaryFix() {
        // Proves "MB" style units fail and the fix suggests m or MiB.
        BadValueException e = assertThrows(BadValueException.class, () -> Sizes.parse("50MB"));
        assertTrue(e.getMessage().contains("\"50MB\""), e.getMessage());
        assertEquals("sizes are binary: write 50m or 50MiB", e.fix());
        assertEquals("sizes are binary: write 1g or 1GiB", ((BadValueException) assertThrows(
                IllegalArgumentException.class, () -> Sizes.parse("1gb"))).fix());
    }

    @Test
    void garbageAndUnknownUnitsAreRefused() {
        // Proves text that is not a size gives IllegalArgumentException, never a silent zero.
        for (String bad : new String[] {"", "m", "-1m", "10x", "ten", "1.5", "1 0m", "99999999999t"}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
        }
    }

    @Test
    void formatUsesTheLargestUnitAndReadsBack() {
        // Proves format gives short text in the largest unit, and parse reads exact results back.
        assertEquals("0", Sizes.format(0));
        assertEquals("512", Sizes.format(512));
        assertEquals("1k", Sizes.format(1024));
        assertEquals("64m", Sizes.format(64L << 20));
        assertEquals("1.5g", Sizes.format(3L << 29));
        assertEquals("2t", Sizes.format(2L << 40));
        assertEquals("1.33k", Sizes.format(1365));
        for (long bytes : new long[] {0, 1, 1023, 1024, 50L << 20, 3L << 29, 7L << 40}) {
            assertEquals(bytes, Sizes.parse(Sizes.format(bytes)), Sizes.format(bytes));
        }
    }
}
