package io.zygotehost.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The variables a JVM reads as it starts: what a spare must have been started with. */
class StartupEnvironmentTest {

    @Test
    void jvmFlagsLocaleAndLoaderVariables_count_othersDoNot() {
        List<String> env = List.of("PATH=/bin", "LC_ALL=C.UTF-8", "JAVA_TOOL_OPTIONS=-Xmx1g", "HOME=/root",
                "LD_LIBRARY_PATH=/opt/lib", "TZ=UTC", "LANG=en_US.UTF-8", "MALLOC_ARENA_MAX=2", "JDK_JAVA_OPTIONS=-ea");
        assertEquals(List.of("JAVA_TOOL_OPTIONS=-Xmx1g", "JDK_JAVA_OPTIONS=-ea", "LANG=en_US.UTF-8", "LC_ALL=C.UTF-8",
                "LD_LIBRARY_PATH=/opt/lib", "MALLOC_ARENA_MAX=2"), StartupEnvironment.of(env));
    }

    @Test
    void theOrderOfTheEnvironment_doesNotMatter() {
        assertEquals(StartupEnvironment.of(List.of("LANG=C", "LC_ALL=C")), StartupEnvironment.of(List.of("LC_ALL=C", "LANG=C")));
    }

    @Test
    void theEntriesKept_areDecodedFromTheRequestsBytes_asUtf8() {
        String raw = new String("JAVA_TOOL_OPTIONS=-Dcity=Zürich".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String other = new String("NAME=Zürich".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertEquals(List.of("JAVA_TOOL_OPTIONS=-Dcity=Zürich"), StartupEnvironment.of(List.of(raw, other)));
    }
}
