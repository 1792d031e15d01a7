package io.zygotehost.exec.spare;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Class paths as the {@code java} launcher reads them. */
public final class ClassPaths {

    private ClassPaths() {}

    /**
     * The class path as the launcher shows it in java.class.path: an entry {@code DIR/*} (or {@code *})
     * becomes the jars in DIR, in directory order, and stays as it is when DIR has none or cannot be read.
     */
    public static String expandWildcards(String classPath, Path directory) {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator, -1)) {
            boolean wildcard = entry.equals("*") || entry.endsWith("/*");
            if (!wildcard || Files.exists(directory.resolve(entry))) {
                entries.add(entry);
                continue;
            }
            String prefix = entry.substring(0, entry.length() - 1);
            List<String> jars = new ArrayList<>();
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory.resolve(prefix.isEmpty() ? "." : prefix))) {
                for (Path file : listing) {
                    String name = file.getFileName().toString();
                    if ((name.endsWith(".jar") || name.endsWith(".JAR")) && name.length() > 4) {
                        jars.add(prefix + name);
                    }
                }
            } catch (IOException e) {
                // the launcher keeps an entry it cannot expand
            }
            if (jars.isEmpty()) {
                entries.add(entry);
            } else {
                entries.addAll(jars);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
