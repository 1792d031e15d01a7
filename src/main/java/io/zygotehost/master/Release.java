package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an app's {@code path} points at right now: its jars and the version they make.
 *
 * @param version     {@code version:} from the config, else the name of the folder or jar the path resolves to through symlinks
 * @param contentHash SHA-256 of every jar's name and bytes: a jar replaced in place makes a new release
 */
public record Release(String version, Path resolved, List<Path> jars, String contentHash) {

    public static Release resolve(AppConfig app) throws IOException {
        Path path = app.path();
        if (!Files.exists(path)) {
            throw new IOException("path " + path + " does not exist");
        }
        Path resolved = path.toRealPath();
        List<Path> jars;
        if (Files.isDirectory(resolved)) {
            try (Stream<Path> entries = Files.list(resolved)) {
                jars = entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                        .sorted().toList();
            }
            if (jars.isEmpty()) {
                throw new IOException("no .jar file in " + resolved + " (path " + path + ")");
            }
        } else {
            jars = List.of(resolved);
        }
        String name = resolved.getFileName().toString();
        String version = app.version().orElse(name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name);
        return new Release(version, resolved, jars, hash(jars));
    }

    /** The first 12 hex digits, as status shows it. */
    public String shortHash() {
        return contentHash.substring(0, 12);
    }

    private static String hash(List<Path> jars) throws IOException {
        Sha256 digest = new Sha256();
        for (Path jar : jars) {
            digest.text(jar.getFileName().toString()).file(jar);
        }
        return digest.hex();
    }
}
