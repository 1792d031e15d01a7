package io.zygotehost.exec;

import io.zygotehost.exec.spare.ClassPaths;
import io.zygotehost.ipc.FileStamp;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The class path a server serves, as it is on disk now: its entries with wildcards expanded, and a
 * stamp of every jar and of every wildcard's folder. A spare opens no class-path jar before its run, so
 * a jar that changes while it waits is read new at the run; but a spare started from an AOT cache has
 * its classes from the cache, checked only at start (JDK 25 runs stale classes from a cache whose jar
 * was replaced: see AotCacheKey). So a spare started before any change is retired unused.
 *
 * @param value   the class path, every entry absolute, as the client sent it (wildcards unexpanded)
 * @param entries what the JVM reads: wildcards expanded
 * @param stamps  of the jars and the wildcards' folders, in order; null for one that is missing
 */
record ExecClassPath(String value, List<Path> entries, List<FileStamp> stamps) {

    static ExecClassPath of(String value) {
        List<Path> entries = new ArrayList<>();
        for (String entry : ClassPaths.expandWildcards(value, Path.of("/")).split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry));
            }
        }
        List<FileStamp> stamps = new ArrayList<>();
        for (Path watched : watched(value, entries)) {
            stamps.add(stampOrNull(watched));
        }
        return new ExecClassPath(value, List.copyOf(entries), java.util.Collections.unmodifiableList(stamps));
    }

    /** True while no jar and no wildcard folder changed since this was made. One stat per entry. */
    boolean unchanged() {
        List<Path> watched = watched(value, entries);
        if (watched.size() != stamps.size()) {
            return false;
        }
        for (int i = 0; i < watched.size(); i++) {
            FileStamp stamp = stamps.get(i);
            if (stamp == null ? Files.exists(watched.get(i)) : !stamp.unchanged()) {
                return false;
            }
        }
        return true;
    }

    /** The files whose change means a new class path: the jars, and the folders of wildcards (a jar added or removed). */
    private static List<Path> watched(String value, List<Path> entries) {
        List<Path> watched = new ArrayList<>();
        for (String entry : value.split(File.pathSeparator)) {
            if (entry.equals("*") || entry.endsWith("/*")) {
                String folder = entry.substring(0, entry.length() - 1);
                watched.add(Path.of(folder.isEmpty() ? "/" : folder));
            }
        }
        for (Path entry : entries) {
            if (!Files.isDirectory(entry)) {
                watched.add(entry);
            }
        }
        return watched;
    }

    private static FileStamp stampOrNull(Path path) {
        try {
            return FileStamp.of(path);
        } catch (IOException e) {
            return null;
        }
    }
}
