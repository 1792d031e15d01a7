package io.zygotehost.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code watch: true}: notices that an app's release changed (its {@code path} resolves elsewhere,
 * or a jar was replaced in place) and asks for that app's redeploy. It polls cheap metadata (real
 * path, and each jar's name, size and modification time) once a second rather than hashing jars;
 * the redeploy itself hashes them. A change is reported once it has held still for a poll, so a
 * burst of changes (a copy of many jars, then a symlink move) makes one redeploy.
 */
final class ReleaseWatcher {

    static final long POLL_MILLIS = 1000;

    private final Consumer<String> redeploy;
    /** App name -> path, replaced whole by the master thread after every reload. */
    private volatile Map<String, Path> watched = Map.of();
    private final Map<String, String> known = new HashMap<>();
    private final Map<String, String> pending = new HashMap<>();

    ReleaseWatcher(Consumer<String> redeploy) {
        this.redeploy = redeploy;
    }

    void watch(Map<String, Path> apps) {
        watched = Map.copyOf(apps);
    }

    void start() {
        Thread.ofPlatform().name("release-watcher").daemon(true).start(() -> {
            while (true) {
                poll();
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void poll() {
        Map<String, Path> apps = watched;
        known.keySet().retainAll(apps.keySet());
        pending.keySet().retainAll(apps.keySet());
        for (Map.Entry<String, Path> app : apps.entrySet()) {
            String now = signature(app.getValue());
            String before = known.putIfAbsent(app.getKey(), now);
            if (before == null || before.equals(now)) {
                pending.remove(app.getKey());
            } else if (now.equals(pending.get(app.getKey()))) {
                known.put(app.getKey(), now);
                pending.remove(app.getKey());
                redeploy.accept(app.getKey());
            } else {
                pending.put(app.getKey(), now); // still moving: look again next poll
            }
        }
    }

    static String signature(Path path) {
        try {
            Path real = path.toRealPath();
            StringBuilder signature = new StringBuilder(real.toString());
            try (Stream<Path> jars = Files.isDirectory(real) ? Files.list(real) : Stream.of(real)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                    signature.append('|').append(jar.getFileName()).append(':').append(attributes.size())
                            .append(':').append(attributes.lastModifiedTime().toMillis());
                }
            }
            return signature.toString();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage(); // a path mid-move; the next poll sees where it landed
        }
    }
}
