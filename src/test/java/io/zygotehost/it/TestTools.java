package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The programs some integration tests drive besides the JDK, found by {@code bin/lib/test-tools.sh --check}
 * (bin/test installs them first when it can). A test that needs one that is missing fails with the
 * script's message, saying what to install: it never skips.
 */
final class TestTools {

    private static Map<String, Path> found;

    private TestTools() {}

    /** Headless Chromium (or Chrome). */
    static Path chromium() {
        return tool("chromium");
    }

    /** A python3 that can import Prometheus's Python client and its parsers. */
    static Path python() {
        return tool("python3");
    }

    private static synchronized Path tool(String name) {
        if (found == null) {
            found = check();
        }
        return found.get(name);
    }

    private static Map<String, Path> check() {
        try {
            Path out = Files.createTempFile("test-tools", ".out");
            try {
                Process check = new ProcessBuilder(RunningHost.ROOT.resolve("bin/lib/test-tools.sh").toString(), "--check")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!check.waitFor(30, TimeUnit.SECONDS)) {
                    check.destroyForcibly();
                    fail("bin/lib/test-tools.sh --check did not end within 30s");
                }
                String said = Files.readString(out);
                if (check.exitValue() != 0) {
                    fail(said);
                }
                Map<String, Path> tools = new HashMap<>();
                said.lines().filter(line -> line.contains("=")).forEach(line ->
                        tools.put(line.substring(0, line.indexOf('=')), Path.of(line.substring(line.indexOf('=') + 1))));
                return tools;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run bin/lib/test-tools.sh --check", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
