package io.zygotehost.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server's command line, as the client writes it; what a person could get wrong is said plainly. */
class ExecOptionsTest {

    @Test
    void theClientsCommandLine_parses_withDefaults() {
        ExecOptions options = ExecOptions.parse(new String[] {"--dir", "/tmp/x", "--key", "0123456789abcdef", "--classpath", "/a.jar"});
        assertEquals(Path.of("/tmp/x/0123456789abcdef.sock"), options.socket());
        assertEquals(Path.of("/tmp/x/0123456789abcdef.lock"), options.lockFile());
        assertEquals(Path.of("/tmp/x/0123456789abcdef.log"), options.logFile());
        assertEquals(Duration.ofMinutes(10), options.maxIdle());
        assertEquals(2, options.spares());
        ExecOptions set = ExecOptions.parse(new String[] {"--dir", "/d", "--key", "fedcba9876543210", "--classpath", "/a",
                "--max-idle", "90s", "--spares", "4"});
        assertEquals(Duration.ofSeconds(90), set.maxIdle());
        assertEquals(4, set.spares());
    }

    @Test
    void badValues_areRefusedWithTheReason() {
        assertTrue(refused("--dir", "/d", "--key", "../../etc", "--classpath", "/a").contains("16 hex digits"));
        assertTrue(refused("--dir", "/d", "--key", "0123456789abcdef", "--classpath", "/a", "--spares", "0").contains("from 1 to 16"));
        assertTrue(refused("--dir", "/d", "--key", "0123456789abcdef", "--classpath", "/a", "--max-idle", "0").contains("more than 0"));
        assertTrue(refused("--dir", "/d", "--key", "0123456789abcdef", "--classpath", "/a", "--max-idle", "10").contains("needs a unit"));
        assertTrue(refused("--dir", "/d", "--classpath", "/a").contains("required"));
    }

    private static String refused(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> ExecOptions.parse(args)).getMessage();
    }
}
