package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A STATUS field stays one field: the reasons systemd shows come from config errors and stack traces, many lines long. */
class HostNotifierTest {

    @Test
    void aStatusIsOneLineEvenWhenItsTextIsNot() {
        assertEquals("STATUS=reload failed: config: refused, nothing changed: conf/apps.yml:3:5: bad",
                HostNotifier.status("reload failed: config: refused, nothing changed:\n  conf/apps.yml:3:5: bad\n"));
    }

    @Test
    void aLongStatusIsCutWhereSystemctlWouldCutItAnyway() {
        String status = HostNotifier.status("x".repeat(1000));
        assertTrue(status.endsWith("..."), status);
        assertEquals("STATUS=".length() + 400 + 3, status.length());
    }
}
