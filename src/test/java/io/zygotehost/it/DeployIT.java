package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.testapps.DiesInWorkerApp;
import io.zygotehost.testapps.FailingPreloadApp;
import io.zygotehost.testapps.HangsInWorkerApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Deploys by symlink and reload, under load from a generator that counts every failed request. */
class DeployIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** A copy of the hello releases with a `current` link, so tests can move it. */
    /** A copy of hello's v1 and v2 under dir/hello, with a {@code current} link to v1. */
    static Path releases(Path dir) throws Exception {
        Path releases = Files.createDirectories(dir.resolve("hello"));
        for (Path release : List.of(RunningHost.HELLO_V1, RunningHost.HELLO_V2)) {
            Path copy = Files.createDirectories(releases.resolve(release.getFileName()));
            Files.copy(release.resolve("hello.jar"), copy.resolve("hello.jar"));
        }
        RunningHost.pointAt(releases.resolve("current"), "v1");
        return releases;
    }

    private static String hello(Path releases, int port, String extra) {
        return """
                hello:
                  path: %s
                  class: example.hello.HelloApp
                  listen: 127.0.0.1:%d
                  workers: 2
                  max_workers: 2
                  threads: 0
                """.formatted(releases.resolve("current"), port) + extra;
    }

    @Test
    void twentyDeploysUnderLoadLoseNoRequestAndKeepTheCap() throws Exception {
        // v1 -> v2 -> v1 ... twenty times while 8 clients (keep-alive and close, GET and POST) hammer the app.
        // After each deploy: every answer is the new version and no process of the old one is left.
        // All along: never more than max_workers (2) worker processes.
        Path releases = releases(dir);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, hello(releases, port, ""))) {
            host.awaitWorkers("hello", 2);
            AtomicInteger mostWorkers = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().daemon(true).start(() -> {
                while (sampling.get()) {
                    mostWorkers.accumulateAndGet(host.workers("hello").size(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try (LoadGenerator load = LoadGenerator.paced(port, "/", 8, Duration.ofMillis(15))) {
                String version = "v1";
                for (int deploy = 1; deploy <= 20; deploy++) {
                    String previous = version;
                    version = version.equals("v1") ? "v2" : "v1";
                    RunningHost.pointAt(releases.resolve("current"), version);
                    RunningHost.Result reload = host.command("reload");
                    assertEquals(0, reload.exit(), "deploy " + deploy + ": " + reload.output());
                    assertTrue(reload.output().contains("hello: " + previous + " -> " + version), reload.output());
                    for (int i = 0; i < 10; i++) {
                        String body = RunningHost.get(port, "/").body();
                        assertTrue(body.startsWith("hello from " + version), "deploy " + deploy + " answered: " + body);
                    }
                    assertTrue(host.processes("zygote-host: worker hello@" + previous).isEmpty()
                            && host.processes("zygote-host: zygote hello@" + previous).isEmpty(),
                            "deploy " + deploy + ": processes of " + previous + " remain");
                }
                load.close();
                assertEquals(0, load.failed(), "failed requests during 20 deploys: " + load);
                assertTrue(load.ok.sum() > 1000, "the load kept going: " + load);
            } finally {
                sampling.set(false);
                sampler.join();
            }
            assertTrue(mostWorkers.get() <= 2, "at one moment " + mostWorkers.get() + " workers ran, over max_workers 2");
        }
    }

    @Test
    void requestsInFlightAtTheDeployComplete() throws Exception {
        // The slow app with 6 requests of 3 s each in its handlers when the deploy starts: all six get their 200.
        Path slow = Files.createDirectories(dir.resolve("slow"));
        for (String release : List.of("a", "b")) {
            Files.copy(RunningHost.SLOW.resolve("slow.jar"), Files.createDirectories(slow.resolve(release)).resolve("slow.jar"));
        }
        RunningHost.pointAt(slow.resolve("current"), "a");
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, """
                slow:
                  path: %s
                  class: example.slow.SlowApp
                  listen: 127.0.0.1:%d
                  workers: 2
                  threads: 4
                """.formatted(slow.resolve("current"), port))) {
            host.awaitWorkers("slow", 2);
            List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return RunningHost.get(port, "/?ms=3000").statusCode();
                    } catch (Exception e) {
                        return -1;
                    }
                }));
            }
            Thread.sleep(1000); // in the handlers now
            RunningHost.pointAt(slow.resolve("current"), "b");
            RunningHost.Result reload = host.command("reload");
            assertEquals(0, reload.exit(), reload.output());
            for (CompletableFuture<Integer> request : inFlight) {
                assertEquals(200, request.get());
            }
            assertTrue(RunningHost.get(port, "/?ms=1").statusCode() == 200);
            assertTrue(host.processes("zygote-host: worker slow@a").isEmpty());
        }
    }

    @Test
    void brokenVersionsLeaveTheOldOneServingAtFullStrength() throws Exception {
        // Four broken releases in turn: the reload exits 1 with the reason, v1 answers throughout with its 2 workers.
        Path releases = releases(dir);
        TestJars.release(releases, "noclass", FailingPreloadApp.class);
        TestJars.release(releases, "throws", FailingPreloadApp.class);
        TestJars.release(releases, "dies", DiesInWorkerApp.class);
        TestJars.release(releases, "hangs", HangsInWorkerApp.class);
        int port = RunningHost.freePort();
        // The app's timeout bounds a worker's start too: 10 s, so the hanging version fails in 10 s.
        String timeout = "  timeout: 10s\n";
        try (RunningHost host = RunningHost.start(dir, hello(releases, port, timeout))) {
            host.awaitWorkers("hello", 2);
            LoadGenerator load = LoadGenerator.paced(port, "/", 4, Duration.ofMillis(15));
            record Broken(String release, String className, String reason) {}
            for (Broken broken : List.of(
                    new Broken("noclass", "example.hello.HelloApp", "class example.hello.HelloApp not found"),
                    new Broken("throws", FailingPreloadApp.class.getName(), "database unreachable at db.example:5432"),
                    new Broken("dies", DiesInWorkerApp.class.getName(), "keep dying young"),
                    new Broken("hangs", HangsInWorkerApp.class.getName(), "not ready after 10s"))) {
                RunningHost.pointAt(releases.resolve("current"), broken.release());
                host.rewrite(hello(releases, port, timeout).replace("example.hello.HelloApp", broken.className()));
                RunningHost.Result reload = host.command("reload");
                assertEquals(1, reload.exit(), broken + ": " + reload.output());
                assertTrue(reload.output().contains("deploy of hello@" + broken.release() + " abandoned")
                        && reload.output().contains(broken.reason()), reload.output());
                assertTrue(reload.output().contains("hello@v1 keeps serving"), reload.output());
                RunningHost.await("hello@v1 is back at 2 workers and the broken one gone", Duration.ofSeconds(60),
                        () -> host.processes("zygote-host: worker hello@v1").size() == 2
                                && host.processes("zygote-host: worker hello@" + broken.release()).isEmpty()
                                && host.processes("zygote-host: zygote hello@" + broken.release()).isEmpty());
                assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v1"));
            }
            load.close();
            assertEquals(0, load.failed(), "failed requests while broken versions came and went: " + load);
            // A good version still deploys afterwards.
            RunningHost.pointAt(releases.resolve("current"), "v2");
            host.rewrite(hello(releases, port, timeout));
            RunningHost.Result reload = host.command("reload");
            assertEquals(0, reload.exit(), reload.output());
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v2"));
        }
    }

    @Test
    void watchedAppsRedeployWhenTheirLinkMoves() throws Exception {
        // watch: true, and no reload: moving the link is the whole deploy.
        Path releases = releases(dir);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, hello(releases, port, "  watch: true\n"))) {
            host.awaitWorkers("hello", 2);
            RunningHost.pointAt(releases.resolve("current"), "v2");
            RunningHost.await("hello answers from v2", Duration.ofSeconds(60), () -> {
                try {
                    return RunningHost.get(port, "/").body().startsWith("hello from v2");
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(host.log().contains("app hello: its release changed (watch: true); redeploying"), host.log());
        }
    }

    @Test
    void fiveSighupsInASecondMakeOneDeployEvenUnderNohup() throws Exception {
        // Reloads never race: the first starts the deploy of v2, the four others find it under way and join it.
        // Started by nohup, which makes SIGHUP ignored: the JVM would refuse a handler for it, and the host
        // would never reload, if the master did not take the signal back first.
        Path releases = releases(dir);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.startUnderNohup(dir, hello(releases, port, ""))) {
            host.awaitWorkers("hello", 2);
            RunningHost.pointAt(releases.resolve("current"), "v2");
            for (int i = 0; i < 5; i++) {
                host.sighup();
                Thread.sleep(150);
            }
            RunningHost.await("v2 serves with 2 workers and v1 is gone", Duration.ofSeconds(120),
                    () -> host.processes("zygote-host: worker hello@v2").size() == 2
                            && host.processes("zygote-host: worker hello@v1").isEmpty()
                            && host.processes("zygote-host: zygote hello@v1").isEmpty());
            String log = host.log();
            assertEquals(5, log.lines().filter(l -> l.contains("reloading ")).count(), log);
            assertEquals(1, log.lines().filter(l -> l.contains("app hello: deploying hello@v2")).count(), log);
            assertEquals(1, host.zygotes("hello").size());
            assertTrue(RunningHost.get(port, "/").body().startsWith("hello from v2"));
        }
    }

    @Test
    void invalidYamlOnSighupChangesNothing() throws Exception {
        // A broken file and SIGHUP: the error with its line in the master log, the same workers serve on.
        Path releases = releases(dir);
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, hello(releases, port, ""))) {
            host.awaitWorkers("hello", 2);
            Set<Integer> workers = ServingIT.pids(host.workers("hello"));
            Files.writeString(host.config, Files.readString(host.config).replace("workers: 2", "workers: [2"));
            host.sighup();
            host.awaitLog(Duration.ofSeconds(20), "reload refused, nothing changed");
            assertTrue(host.log().contains(host.config + ":11:"), host.log());
            // The command cannot read run_dir from the broken file either: it says where the file is broken.
            RunningHost.Result reload = host.command("reload");
            assertEquals(1, reload.exit(), reload.output());
            assertTrue(reload.output().contains(host.config + ":11:"), reload.output());
            assertEquals(200, RunningHost.get(port, "/").statusCode());
            assertEquals(workers, ServingIT.pids(host.workers("hello")));
        }
    }

    @Test
    void workerCountChangesInPlaceAndAppsComeGoAndMove() throws Exception {
        // workers 2 -> 3 keeps the two; an app added serves; re-ported it serves on the new port only; removed it is gone.
        Path releases = releases(dir);
        int port = RunningHost.freePort();
        int secondPort = RunningHost.freePort();
        int movedPort = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, hello(releases, port, ""))) {
            host.awaitWorkers("hello", 2);
            Set<Integer> before = ServingIT.pids(host.workers("hello"));
            String second = """
                    second:
                      path: %s
                      class: example.hello.HelloApp
                      listen: 127.0.0.1:%%d
                      workers: 1
                    """.formatted(RunningHost.HELLO_V2);
            host.rewrite(hello(releases, port, second.formatted(secondPort)).replace("workers: 2\n  max_workers: 2", "workers: 3\n  max_workers: 3"));
            RunningHost.Result grow = host.command("reload");
            assertEquals(0, grow.exit(), grow.output());
            assertTrue(grow.output().contains("hello: updated in place"), grow.output());
            host.awaitWorkers("hello", 3);
            assertTrue(ServingIT.pids(host.workers("hello")).containsAll(before), "the two workers were kept");
            assertTrue(RunningHost.get(secondPort, "/").body().startsWith("hello from v2"));

            host.rewrite(hello(releases, port, second.formatted(movedPort)));
            RunningHost.Result move = host.command("reload");
            assertEquals(0, move.exit(), move.output());
            assertTrue(RunningHost.get(movedPort, "/").body().startsWith("hello from v2"));
            RunningHost.await("the old port is closed", Duration.ofSeconds(30), () -> SupervisionIT.refused(secondPort));

            host.rewrite(hello(releases, port, ""));
            RunningHost.Result remove = host.command("reload");
            assertEquals(0, remove.exit(), remove.output());
            assertTrue(remove.output().contains("second: removed"), remove.output());
            assertTrue(host.processes("zygote-host: worker second@").isEmpty());
            assertTrue(SupervisionIT.refused(movedPort));
            assertEquals(200, RunningHost.get(port, "/").statusCode());
        }
    }
}
