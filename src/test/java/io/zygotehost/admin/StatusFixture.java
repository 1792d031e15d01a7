package io.zygotehost.admin;

import io.zygotehost.metrics.LatencyBuckets;
import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A known snapshot for the admin endpoint's tests: hello serving v1 (two workers and a spare) while
 * its v2 deploy starts, after one crash and one deploy done; slow with a problem and no generation.
 */
final class StatusFixture {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final long MB = 1024 * 1024;

    private StatusFixture() {}

    static HostStatus status() {
        HostStatus.Worker first = new HostStatus.Worker(1, 4705, "ready", false, NOW.minusSeconds(303),
                NOW.minusSeconds(302), 13, 2, 0, new ProcessMemory(70 * MB, 100 * MB), traffic(new long[] {0, 10, 0, 3, 0},
                new long[] {8, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 12_345_000_000L));
        HostStatus.Worker second = new HostStatus.Worker(2, 4708, "ready", false, NOW.minusSeconds(303),
                NOW.minusSeconds(302), 5, 1, 1, new ProcessMemory(72 * MB, 100 * MB), traffic(new long[] {0, 4, 0, 0, 1},
                new long[] {0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0}, 600_000_000L));
        HostStatus.Worker spare = new HostStatus.Worker(3, 4711, "spare", true, NOW.minusSeconds(65), null, 0, 0, 0,
                null, Traffic.NONE);
        HostStatus.Generation v1 = new HostStatus.Generation(1, "v1", "current", "ready", "0123456789ab", 0, null,
                new HostStatus.Zygote(4674, "ready", NOW.minusSeconds(600), new ProcessMemory(50 * MB, 90 * MB)),
                List.of(first, second, spare));
        HostStatus.Generation v2 = new HostStatus.Generation(2, "v2 \"rc\"", "incoming", "starting", "fedcba987654", 0,
                null, new HostStatus.Zygote(4801, "starting", NOW.minusSeconds(2), null), List.of());
        Map<String, Traffic> byVersion = new LinkedHashMap<>();
        // v1: what the two live workers report, plus an exited worker's 100 fast 2xx.
        byVersion.put("v1", first.traffic().plus(second.traffic()).plus(traffic(new long[] {0, 100, 0, 0, 0},
                new long[] {100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 50_000_000L)));
        byVersion.put("v2 \"rc\"", Traffic.NONE);
        HostStatus.App hello = new HostStatus.App("hello", "127.0.0.1:8080", 2, 3, 1, 2, null, 0, null, false, false,
                new HostStatus.Deploy("v1", "v2 \"rc\"", NOW.minusSeconds(3)), List.of(v1, v2), byVersion,
                counts("worker", 4L, "zygote", 2L),
                counts("worker", counts("crashed", 1L, "failed_to_boot", 0L, "killed", 0L, "lost", 0L, "stopped", 0L),
                        "zygote", counts("crashed", 0L, "failed_to_boot", 0L, "killed", 0L, "lost", 0L, "stopped", 0L)),
                deploys(1, 6.0), new HostStatus.LastDeploy(null, "v1", "done", NOW.minusSeconds(606), NOW.minusSeconds(600), null));
        HostStatus.App slow = new HostStatus.App("slow", "127.0.0.1:8081", 1, 1, 0, 1, null, 0,
                "path /srv/slow does not exist", false, false, null, List.of(), Map.of(), counts("worker", 0L, "zygote", 0L),
                Map.of(), deploys(0, 0), null);
        return new HostStatus(NOW, 4627, "/srv/conf/apps.yml", NOW.minusSeconds(610), 1024 * MB,
                new ProcessMemory(192 * MB, 290 * MB), new ProcessMemory(40 * MB, 60 * MB), List.of(hello, slow),
                new HostStatus.Reload(NOW.minusSeconds(3), true, List.of("hello: deploying v2 \"rc\"", "slow: unchanged")));
    }

    static Traffic traffic(long[] responses, long[] buckets, long sumNanos) {
        if (buckets.length != LatencyBuckets.COUNT) {
            throw new IllegalArgumentException("the fixture's buckets are out of date");
        }
        return new Traffic(responses, buckets, sumNanos);
    }

    private static Map<String, HostStatus.DeployTotal> deploys(long done, double seconds) {
        Map<String, HostStatus.DeployTotal> deploys = new LinkedHashMap<>();
        deploys.put("abandoned", new HostStatus.DeployTotal(0, 0));
        deploys.put("cancelled", new HostStatus.DeployTotal(0, 0));
        deploys.put("done", new HostStatus.DeployTotal(done, seconds));
        deploys.put("superseded", new HostStatus.DeployTotal(0, 0));
        return deploys;
    }

    @SafeVarargs
    private static <V> Map<String, V> counts(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            V value = (V) pairs[i + 1];
            map.put((String) pairs[i], value);
        }
        return map;
    }
}
