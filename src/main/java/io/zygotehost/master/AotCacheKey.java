package io.zygotehost.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The name of a generation's AOT cache. JDK 25 runs the classes of a cache whose jar was replaced
 * in place without noticing (it compares little more than sizes and modification times), so a
 * cache must never be found under a name that outlives the bytes it was built from: the key is a
 * SHA-256 of everything a worker's classes depend on.
 *
 * <ul>
 *   <li>the bytes of every class-path jar, in class-path order, and of the jars their manifests'
 *       {@code Class-Path} names (the JVM loads from those too);</li>
 *   <li>the JDK that runs the workers ({@code java.vm.version}, {@code java.runtime.version}: the
 *       master's own, since children run the master's {@code java.home});</li>
 *   <li>the worker's whole command (executable, flags, class path, main class) without the AOT flags,
 *       which the zygote adds, and the environment variables through which a JVM takes more flags.</li>
 * </ul>
 */
public final class AotCacheKey {

    /** Read by the launcher or the JVM as extra flags: they change a cache as much as the command line. */
    public static final List<String> FLAG_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private AotCacheKey() {}

    /** The JDK of this process, which is the JDK of every child. */
    public static String currentJdk() {
        return System.getProperty("java.vm.version") + " " + System.getProperty("java.runtime.version");
    }

    /**
     * Why this command cannot have a cache of ours, if it cannot: the user's own AOT or CDS flags
     * win, and a class-path folder cannot be archived (the JVM refuses to dump with one).
     */
    public static Optional<String> unsupported(List<String> command, List<Path> classPath) {
        for (String flag : command) {
            if (flag.startsWith("-XX:AOT") || flag.startsWith("-XX:SharedArchiveFile") || flag.startsWith("-Xshare")
                    || flag.startsWith("-XX:+AutoCreateSharedArchive")) {
                return Optional.of("jvm_options has " + flag + ": the app's own AOT/CDS setting wins");
            }
        }
        for (Path entry : classPath) {
            if (!Files.isRegularFile(entry)) {
                return Optional.of("class-path entry " + entry + " is not a jar file (a folder or missing): "
                        + "an AOT cache stores classes from jars only");
            }
        }
        return Optional.empty();
    }

    /** Every jar a worker may load classes from: the class path, then what manifests add, each once. */
    public static List<Path> jarsOf(List<Path> classPath) throws IOException {
        Set<Path> jars = new LinkedHashSet<>();
        List<Path> pending = new ArrayList<>(classPath);
        while (!pending.isEmpty()) {
            Path jar = pending.removeFirst().toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar) || !jars.add(jar)) {
                continue; // the JVM skips missing manifest entries; a folder was refused by unsupported()
            }
            try (JarFile file = new JarFile(jar.toFile(), false)) {
                Manifest manifest = file.getManifest();
                String more = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (more != null && !more.isBlank()) {
                    for (String entry : more.trim().split("\\s+")) {
                        pending.add(jar.resolveSibling(entry));
                    }
                }
            }
        }
        return List.copyOf(jars);
    }

    /**
     * The key, 64 hex digits.
     *
     * @param command the worker's command, without any AOT flag
     * @param jars    from {@link #jarsOf}
     * @param env     the worker's environment
     */
    public static String compute(List<String> command, List<Path> jars, Map<String, String> env, String jdk) throws IOException {
        Sha256 digest = new Sha256().text("jdk").text(jdk).text("command");
        command.forEach(digest::text);
        for (String variable : FLAG_VARIABLES) {
            digest.text(variable).text(env.getOrDefault(variable, ""));
        }
        for (Path jar : jars) {
            digest.text(jar.toString()).file(jar);
        }
        return digest.hex();
    }
}
