package io.zygotehost.exec;

import io.zygotehost.exec.spare.RunRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The environment variables a JVM reads as it starts, and never again: a spare started with other
 * values than a run's would not be the JVM {@code java} would have started for it. Every other variable
 * the run gets at take-over ({@code System.getenv} reads the environment at its first use, after it).
 * Spares are therefore kept per value of these (see {@link SparePool}).
 *
 * <ul>
 * <li>{@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}, {@code JDK_AOT_VM_OPTIONS}:
 *     more JVM flags;</li>
 * <li>{@code LANG}, {@code LANGUAGE}, {@code LC_*}: the locale, from which the JVM takes file.encoding,
 *     native.encoding, sun.jnu.encoding and the default Locale at start;</li>
 * <li>{@code LD_*}, {@code MALLOC_*}, {@code GLIBC_TUNABLES}: read by the dynamic loader and the C library
 *     at exec; LD_LIBRARY_PATH also makes java.library.path.</li>
 * </ul>
 */
final class StartupEnvironment {

    private static final Set<String> NAMES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
            "JDK_AOT_VM_OPTIONS", "_JAVA_LAUNCHER_DEBUG", "LANG", "LANGUAGE", "GLIBC_TUNABLES");
    private static final List<String> PREFIXES = List.of("LC_", "LD_", "MALLOC_");

    private StartupEnvironment() {}

    /**
     * The entries ("NAME=value") of an environment that a JVM reads at start, as UTF-8 text, sorted: equal
     * lists, equal JVMs. {@code environment} is a request's (RunRequest: bytes as chars); only the entries kept
     * are decoded. Loops, not streams: this is on the path of every run, and mostly interpreted there.
     */
    static List<String> of(List<String> environment) {
        List<String> read = new ArrayList<>();
        for (String entry : environment) {
            if (readAtStart(entry)) {
                read.add(RunRequest.decoded(entry, StandardCharsets.UTF_8));
            }
        }
        read.sort(null);
        return List.copyOf(read);
    }

    private static boolean readAtStart(String entry) {
        int equals = entry.indexOf('=');
        String name = equals < 0 ? entry : entry.substring(0, equals);
        if (NAMES.contains(name)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
