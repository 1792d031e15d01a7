package io.zygotehost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.metrics.ProcessMemory;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text of {@code bin/zygote-host status}, from hand-made snapshots. */
class StatusTextTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final long MB = 1024 * 1024;

    @Test
    void aHealthyHostReadsAsATreeWithOneAlignedLinePerWorker() {
        // Two apps, one with a spare: every worker on one line, columns aligned across both apps.
        HostStatus status = host(null, List.of(
                app("hello", "127.0.0.1:8080", generation("v1", "current",
                        worker(1, 4705, "ready", 303, 1234, 2, 0, 71),
                        worker(2, 4708, "ready", 303, 56, 0, 0, 70),
                        worker(3, 4711, "spare", 65, 0, 0, 0, 48))),
                app("slow", "127.0.0.1:8081", generation("1.0", "current",
                        worker(12, 123456, "ready", 7_384, 9, 16, 0, 102)))));

        assertEquals("""
                zygote-host (pid 4627), up 2h01m, config /srv/conf/apps.yml
                memory: PSS 412 MB, RSS 980 MB in 6 processes, memory_limit 1g; the master PSS 52 MB, RSS 70 MB
                last reload: none

                hello on 127.0.0.1:8080: 2 workers, max_workers 2, spares 1
                  v1 current, ready, 0123456789ab: zygote 4674 ready, up 10m00s, PSS 85 MB, RSS 120 MB
                    WORKER     PID  STATE  AGE    REQUESTS  IN-FLIGHT  STUCK  PSS MB  RSS MB
                    #1        4705  ready  5m03s      1234          2      0      71     100
                    #2        4708  ready  5m03s        56          0      0      70     100
                    #3        4711  spare  1m05s         0          0      0      48     100

                slow on 127.0.0.1:8081: 2 workers, max_workers 2, spares 1
                  1.0 current, ready, 0123456789ab: zygote 4674 ready, up 10m00s, PSS 85 MB, RSS 120 MB
                    WORKER     PID  STATE  AGE    REQUESTS  IN-FLIGHT  STUCK  PSS MB  RSS MB
                    #12     123456  ready  2h03m         9         16      0     102     100
                """, StatusText.render(status));
    }

    @Test
    void problemsCrashLoopsCapsAndHungWorkersStandOut() {
        // Mid-deploy, the new version crash-looping, memory capping the app, a hung worker and a failed reload.
        HostStatus.Generation v1 = generation("v1", "current", worker(1, 4705, "hung", 303, 10, 1, 0, 71),
                worker(2, 4708, "ready", 303, 10, 0, 3, 70));
        HostStatus.Generation v2 = new HostStatus.Generation(2, "v2", "incoming", "ready", "fedcba987654", 3,
                "exited with status 1", null, List.of(new HostStatus.Worker(3, 0, "spawning", false, NOW.minusMillis(400),
                        null, 0, 0, 0, null, Traffic.NONE)));
        HostStatus.App hello = new HostStatus.App("hello", "127.0.0.1:8080", 2, 2, 0, 1,
                "memory 300m holds 1 of its 2 workers (zygotes 85m, a worker ~150m PSS)", 300 * MB,
                "deploy of hello@v0 abandoned: canary failed; hello@v1 keeps serving", true, false,
                new HostStatus.Deploy("v1", "v2", NOW.minusSeconds(12)), List.of(v1, v2), Map.of(), Map.of(), Map.of(), Map.of(),
                null);
        HostStatus.Reload reload = new HostStatus.Reload(NOW.minusSeconds(192), false,
                List.of("config: refused, nothing changed:\napps.yml:3:5: unknown key 'worker'"));

        String text = StatusText.render(host(reload, List.of(hello)));

        assertTrue(text.contains("""
                !! last reload: 3m12s ago, FAILED
                  config: refused, nothing changed:
                    apps.yml:3:5: unknown key 'worker'
                """), text);
        assertTrue(text.contains("""
                hello on 127.0.0.1:8080: 2 workers, max_workers 2, spares 0, memory 300m
                  !! CRASH LOOP: 3 processes of v2 died young in a row; the last: exited with status 1
                  !! problem: deploy of hello@v0 abandoned: canary failed; hello@v1 keeps serving
                  !! running 1 of 2 workers: memory 300m holds 1 of its 2 workers (zygotes 85m, a worker ~150m PSS)
                  deploying v1 -> v2 for 12.0s
                """), text);
        assertTrue(text.contains("\n  ! #1      4705  hung      5m03s"), "a hung worker is marked in the margin:\n" + text);
        assertTrue(text.contains("\n  ! #2      4708  ready"), "so is one with stuck handlers:\n" + text);
        assertTrue(text.contains("""
                  v2 incoming, ready, fedcba987654, 3 died young in a row (the last: exited with status 1): no zygote
                """), text);
        assertTrue(text.endsWith("\n    #3         -  spawning  400ms         0          0      0       -       -\n"),
                "no pid nor memory yet:\n" + text);
    }

    private static HostStatus host(HostStatus.Reload reload, List<HostStatus.App> apps) {
        return new HostStatus(NOW, 4627, "/srv/conf/apps.yml", NOW.minusSeconds(7_290), 1024 * MB,
                new ProcessMemory(412 * MB, 980 * MB), new ProcessMemory(52 * MB, 70 * MB), apps, reload);
    }

    private static HostStatus.App app(String name, String listen, HostStatus.Generation generation) {
        return new HostStatus.App(name, listen, 2, 2, 1, 2, null, 0, null, false, false, null, List.of(generation), Map.of(),
                Map.of(), Map.of(), Map.of(), null);
    }

    private static HostStatus.Generation generation(String version, String role, HostStatus.Worker... workers) {
        return new HostStatus.Generation(1, version, role, "ready", "0123456789ab", 0, null,
                new HostStatus.Zygote(4674, "ready", NOW.minusSeconds(600), new ProcessMemory(85 * MB, 120 * MB)),
                List.of(workers));
    }

    private static HostStatus.Worker worker(int id, int pid, String state, long ageSeconds, long requests, int inFlight,
            int stuck, long pssMegabytes) {
        return new HostStatus.Worker(id, pid, state, state.equals("spare"), NOW.minusSeconds(ageSeconds),
                NOW.minusSeconds(ageSeconds - 1), requests, inFlight, stuck, new ProcessMemory(pssMegabytes * MB, 100 * MB),
                Traffic.NONE);
    }
}
