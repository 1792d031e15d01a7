package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Spare workers: started and built, not accepting, activated when a worker is needed, and replenished. */
class SparesIT {

    private static final Pattern SPARE = Pattern.compile("spare (\\S+) #(\\d+) \\(pid (\\d+)\\) built and waiting");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aSpareWaitsWithoutServingIsActivatedWhenAWorkerIsNeededAndIsReplenished() throws Exception {
        int port = RunningHost.freePort();
        String settings = "workers: %d\nspares: 1\nthreads: 0\n";
        try (RunningHost host = RunningHost.start(dir, RunningHost.hello(RunningHost.HELLO_V1, port, settings.formatted(2)))) {
            awaitServingAndSpare(host);
            Matcher spare = SPARE.matcher(host.log());
            assertTrue(spare.find(), host.log());
            String spareId = spare.group(2);
            int sparePid = Integer.parseInt(spare.group(3));
            // A spare does not accept: 200 requests on fresh connections never reach it.
            for (int i = 0; i < 200; i++) {
                assertFalse(answeredBy(port, spareId), "the spare answered");
            }
            // One more worker wanted, under load: the spare takes the job, a new spare is built, nothing fails.
            try (LoadGenerator load = LoadGenerator.start(port, "/", 4)) {
                host.rewrite(RunningHost.hello(RunningHost.HELLO_V1, port, settings.formatted(3)));
                host.sighup();
                host.awaitLog(Duration.ofSeconds(30), "(pid " + sparePid + ") ready in", "(an activated spare)");
                RunningHost.await("a new spare built", Duration.ofSeconds(60), () -> spares(host.log()).size() >= 2);
                RunningHost.await("the activated spare answers", Duration.ofSeconds(30), () -> answeredBy(port, spareId));
                load.close();
                assertEquals(0, load.failed(), load.toString());
            }
            assertEquals(4, host.workers("hello").size(), "three serving and a new spare");
            // A worker killed: the new spare replaces it, without a JVM start.
            int secondSpare = Integer.parseInt(lastSpare(host.log()).group(3));
            int victim = host.workers("hello").stream().mapToInt(ProcTree.Proc::pid).filter(pid -> pid != secondSpare)
                    .findFirst().orElseThrow();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            host.awaitLog(Duration.ofSeconds(30), "(pid " + secondSpare + ") ready in");
            assertTrue(host.log().lines().anyMatch(l -> l.contains("(pid " + secondSpare + ") ready in")
                    && l.contains("(an activated spare)")), host.log());
        }
    }

    @Test
    void aDeployUsesTheNewVersionsSpares() throws Exception {
        // max_workers = workers: an old worker makes room, and the new version's spare takes over in milliseconds.
        Path releases = DeployIT.releases(dir);
        int port = RunningHost.freePort();
        String config = RunningHost.hello(releases.resolve("current"), port, "workers: 2\nspares: 1\n");
        try (RunningHost host = RunningHost.start(dir, config)) {
            awaitServingAndSpare(host);
            try (LoadGenerator load = LoadGenerator.paced(port, "/", 4, Duration.ofMillis(5))) {
                RunningHost.pointAt(releases.resolve("current"), "v2");
                RunningHost.Result reload = host.command("reload");
                assertEquals(0, reload.exit(), reload.output());
                load.close();
                assertEquals(0, load.failed(), load.toString());
            }
            String log = host.log();
            assertTrue(log.lines().anyMatch(l -> l.contains("worker hello@v2") && l.contains("(an activated spare)")), log);
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v2"));
            RunningHost.await("v2 keeps a spare", Duration.ofSeconds(60),
                    () -> spares(host.log()).stream().filter(s -> s.startsWith("hello@v2")).count() >= 2);
        }
    }

    /** Two workers serving and a spare built: three worker processes. */
    private static void awaitServingAndSpare(RunningHost host) {
        RunningHost.await("2 workers ready and a spare built", Duration.ofSeconds(60),
                () -> host.workers("hello").size() == 3 && spares(host.log()).size() == 1
                        && host.log().lines().filter(l -> l.contains(") ready in ")).count() == 2);
    }

    private static List<String> spares(String log) {
        return log.lines().map(SPARE::matcher).filter(Matcher::find).map(m -> m.group(1) + " #" + m.group(2)).toList();
    }

    private static Matcher lastSpare(String log) {
        Matcher last = null;
        for (String line : log.lines().toList()) {
            Matcher m = SPARE.matcher(line);
            if (m.find()) {
                last = m;
            }
        }
        return last;
    }

    /** One request on a connection of its own (the kernel picks the worker that accepts it): did that worker answer? */
    private static boolean answeredBy(int port, String workerId) {
        try {
            return ServingIT.rawRequest(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .contains("(worker " + workerId + ")");
        } catch (IOException e) {
            return false;
        }
    }
}
