package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.AotCacheSpec;
import io.zygotehost.ipc.FileStamp;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run_dir/aot}: one AOT cache file per distinct worker (jars, JDK, flags), {@code KEY.aot}
 * (see {@link AotCacheKey}), shared by every generation with that key, across host restarts. A
 * zygote trains into {@code KEY.aot.PID.tmp} (not {@code *.aot}: a glob for caches never sees a
 * half-written one) and renames it into place when the training succeeded.
 * The master names the files and removes those no generation needs; zygotes build and use them.
 */
final class AotCaches {

    private static final Logger log = LoggerFactory.getLogger("master");
    /** JEP 483's AOT cache arrived in JDK 24, its one-step training ({@code -XX:AOTCacheOutput}, JEP 514) in 25. */
    static final int FIRST_JDK = 25;
    static final String SUFFIX = ".aot";

    private final Path dir;
    private final String jdk;

    private AotCaches(Path dir, String jdk) {
        this.dir = dir;
        this.jdk = jdk;
    }

    /** Empty on a JDK without one-step AOT training: then workers start as they always did, without any AOT flag. */
    static Optional<AotCaches> open(Path runDir) throws IOException {
        int feature = Runtime.version().feature();
        if (feature < FIRST_JDK) {
            log.info("AOT caches are off: JDK {} has no -XX:AOTCacheOutput (JDK {}+ has)", feature, FIRST_JDK);
            return Optional.empty();
        }
        Path dir = runDir.resolve("aot");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return Optional.of(new AotCaches(dir, AotCacheKey.currentJdk()));
    }

    /**
     * The cache of a worker with this command, or null (logged) when it cannot have one.
     *
     * @param command   the worker's command (no AOT flag in it)
     * @param classPath its class-path entries, in order
     */
    /**
     * A training run gets this many of the app's timeouts. It runs in the background, at nice 10, while workers
     * start without the cache, and the JVM assembles the cache in a second process after it: on a busy machine
     * that takes several times a worker's start, and one timeout killed every training of a loaded host.
     */
    static final int TRAINING_TIMEOUTS = 4;

    AotCacheSpec spec(String label, AppConfig app, List<String> command, List<Path> classPath, Map<String, String> env) {
        return spec(dir, label, app, command, classPath, env);
    }

    /** @param in the folder of the cache: {@code run_dir/aot}, or that of the user the app's processes run as (AccountDirs) */
    AotCacheSpec spec(Path in, String label, AppConfig app, List<String> command, List<Path> classPath,
            Map<String, String> env) {
        Optional<String> unsupported = AotCacheKey.unsupported(command, classPath);
        if (unsupported.isPresent()) {
            log.warn("{}: workers start without an AOT cache: {}", label, unsupported.get());
            return null;
        }
        try {
            List<Path> jars = AotCacheKey.jarsOf(classPath);
            // Stamped before hashing: a jar replaced while we hash has a newer stamp, and the zygote sees the mismatch.
            List<FileStamp> stamps = new ArrayList<>();
            for (Path jar : jars) {
                stamps.add(FileStamp.of(jar));
            }
            String key = AotCacheKey.compute(command, jars, env, jdk);
            return new AotCacheSpec(in.resolve(key + SUFFIX), stamps, app.timeout().toMillis() * TRAINING_TIMEOUTS, app.warmup());
        } catch (IOException e) {
            log.warn("{}: workers start without an AOT cache: cannot hash its class path: {}", label, e.toString());
            return null;
        }
    }

    /**
     * Deletes every file of {@code run_dir/aot} that none of the given caches is (see {@link #unneeded}).
     * Only direct entries, never a folder, and a symlink is removed, never followed.
     *
     * @param trainingsMayRun false only before any zygote has started: then a half-written training file is junk
     */
    void removeUnneeded(Collection<Path> needed, boolean trainingsMayRun) {
        removeUnneeded(List.of(dir), needed, trainingsMayRun);
    }

    /** The same in each of these folders, each keeping the caches needed in it. */
    void removeUnneeded(List<Path> dirs, Collection<Path> needed, boolean trainingsMayRun) {
        for (Path folder : dirs) {
            removeUnneeded(folder, needed.stream().filter(file -> folder.equals(file.getParent())).toList(), trainingsMayRun);
        }
    }

    private void removeUnneeded(Path dir, Collection<Path> needed, boolean trainingsMayRun) {
        Set<String> keys = needed.stream().map(file -> keyOf(file.getFileName().toString()))
                .flatMap(Optional::stream).collect(Collectors.toSet());
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(entry.getFileName().toString());
                }
            }
        } catch (IOException e) {
            log.warn("cannot list {} to remove unneeded AOT caches: {}", dir, e.toString());
            return;
        }
        for (String name : unneeded(names, keys, trainingsMayRun)) {
            try {
                Files.deleteIfExists(dir.resolve(name));
                log.info("removed AOT cache {}: no generation of a configured app uses it", dir.resolve(name));
            } catch (IOException e) {
                log.warn("cannot remove AOT cache {}: {}", dir.resolve(name), e.toString());
            }
        }
    }

    /**
     * Which of these file names to delete: all but {@code KEY.aot} of a needed key, and, while
     * trainings may run, the files such a training writes beside it ({@code KEY.*}).
     */
    static List<String> unneeded(Collection<String> names, Set<String> neededKeys, boolean trainingsMayRun) {
        return names.stream().filter(name -> {
            Optional<String> key = keyOf(name).filter(neededKeys::contains);
            boolean keep = key.isPresent() && (trainingsMayRun || name.equals(key.get() + SUFFIX));
            return !keep;
        }).sorted().toList();
    }

    /** The key a file name starts with, when it starts with one (64 hex digits and a dot). */
    private static Optional<String> keyOf(String name) {
        int dot = name.indexOf('.');
        return dot == 64 && name.substring(0, dot).chars().allMatch(c -> Character.digit(c, 16) >= 0)
                ? Optional.of(name.substring(0, dot)) : Optional.empty();
    }
}
