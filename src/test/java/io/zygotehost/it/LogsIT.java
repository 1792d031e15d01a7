package io.zygotehost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log plane: the master alone writes zygote-host.log, APP.log and APP.access.log, rotates them without
 * losing or splitting a line, and reopens them on SIGUSR1.
 */
class LogsIT {

    /** "TIME hello@v1 #3 pid 123 | ..." or "TIME hello@v1 zygote pid 120 | ...". */
    private static final Pattern APP_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} hello@v1 (#\\d+|zygote) pid \\d+ \\| .*");
    /** Combined log format, then the request's time in microseconds. */
    private static final Pattern ACCESS_LINE = Pattern.compile(
            "127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}] \"(GET|POST) /\\S* HTTP/1\\.1\" "
                    + "\\d{3} \\d+ \"[^\"]*\" \"[^\"]*\" \\d+");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void everyLogFileHoldsItsLinesWithTheirPrefixesAndNoCredentials() throws Exception {
        // Every line of hello.log names its process; every request is one access line; no secret is logged.
        int port = RunningHost.freePort();
        int quietPort = RunningHost.freePort();
        String apps = RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 2\nthreads: 0\n")
                + RunningHost.hello(RunningHost.HELLO_V1, quietPort, "workers: 1\naccess_log: false\n").replaceFirst("hello:", "quiet:");
        int requests = 40;
        try (RunningHost host = RunningHost.start(dir, apps)) {
            host.awaitWorkers("hello", 2);
            host.awaitWorkers("quiet", 1);
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < requests; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/page" + i))
                        .header("Authorization", "Basic c2VjcmV0LXRva2Vu").header("Cookie", "session=secret-cookie")
                        .header("Referer", "http://example.com/from").header("User-Agent", "logs-it \"quoted\"").build();
                assertEquals(200, client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            assertEquals(200, RunningHost.get(quietPort, "/").statusCode());
            Path access = dir.resolve("logs/hello.access.log");
            RunningHost.await(requests + " lines in hello.access.log", Duration.ofSeconds(10),
                    () -> lines(access).size() == requests);
            assertEquals(0, host.stop());

            List<String> accessLines = lines(access);
            assertEquals(requests, accessLines.size(), "one line per request, none twice");
            for (int i = 0; i < requests; i++) {
                String line = accessLines.get(i);
                assertTrue(ACCESS_LINE.matcher(line).matches(), line);
                assertTrue(line.contains("\"GET /page" + i + " HTTP/1.1\" 200 "), line);
                assertTrue(line.contains("\"http://example.com/from\" \"logs-it \\x22quoted\\x22\""), line);
            }
            String all = RunningHost.read(access) + RunningHost.read(dir.resolve("logs/hello.log"))
                    + RunningHost.read(dir.resolve("logs/zygote-host.log"));
            assertFalse(all.contains("secret") || all.contains("c2VjcmV0"), "credentials never reach a log");
            assertFalse(Files.exists(dir.resolve("logs/quiet.access.log")), "access_log: false writes no access log");

            List<String> appLines = lines(dir.resolve("logs/hello.log"));
            assertFalse(appLines.isEmpty());
            appLines.forEach(line -> assertTrue(APP_LINE.matcher(line).matches(), "prefixed: " + line));
            assertTrue(appLines.stream().anyMatch(l -> l.contains("zygote pid") && l.contains("canary passed")), "the zygote's lines");
            assertTrue(appLines.stream().filter(l -> l.matches(".* #\\d+ pid \\d+ \\| .*exiting after.*")).count() == 2,
                    "both workers' last lines, written as they exited:\n" + String.join("\n", appLines));
            String master = RunningHost.read(dir.resolve("logs/zygote-host.log"));
            assertTrue(master.contains("spawned worker hello@v1 #1") && master.contains("stopped: every worker and zygote has exited"),
                    master);
            assertFalse(RunningHost.read(dir.resolve("logs/quiet.log")).contains("hello@v1 #"), "each app's lines in its own file");
            try (Stream<Path> pipes = Files.list(dir.resolve("run/pipes"))) {
                assertEquals(List.of(), pipes.toList(), "no pipe is left behind");
            }
        }
    }

    @Test
    void rotationUnderLoadLosesNoLineAndSplitsNone() throws Exception {
        // Small files under concurrent load: the access lines across every rotated file are the requests answered.
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, "log_rotation: { max_size: 16k, keep: 200 }\n",
                RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 2\nthreads: 0\n"))) {
            host.awaitWorkers("hello", 2);
            LoadGenerator load = LoadGenerator.start(port, "/", 8);
            RunningHost.await("3,000 requests answered", Duration.ofSeconds(60), () -> load.ok.sum() >= 3000);
            load.close();
            assertEquals(0, load.failed(), load.toString());
            long answered = load.ok.sum();
            assertEquals(0, host.stop()); // the workers' buffered lines are written as they exit

            List<Path> files = accessFiles();
            assertTrue(files.size() >= 5, "rotated at 16k: " + files);
            long lines = 0;
            for (Path file : files) {
                assertTrue(Files.size(file) < 16 * 1024 + 64 * 1024, file + " rotates once past max_size");
                for (String line : lines(file)) {
                    assertTrue(ACCESS_LINE.matcher(line).matches(), "a whole line in " + file + ": " + line);
                    lines++;
                }
            }
            assertEquals(answered, lines, "every request answered has its line, across " + files.size() + " files");
        }
    }

    @Test
    void sigusr1ReopensTheFilesAnExternalLogrotateMoved() throws Exception {
        // logrotate's way: move the files, send USR1; the old files keep what came before, new files what came after.
        int port = RunningHost.freePort();
        try (RunningHost host = RunningHost.start(dir, RunningHost.hello(RunningHost.HELLO_V1, port, "workers: 1\n"))) {
            host.awaitWorkers("hello", 1);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, RunningHost.get(port, "/before").statusCode());
            }
            Path access = dir.resolve("logs/hello.access.log");
            RunningHost.await("10 access lines", Duration.ofSeconds(10), () -> lines(access).size() == 10);
            Path moved = dir.resolve("logs/hello.access.log.moved");
            Path masterMoved = dir.resolve("logs/zygote-host.log.moved");
            Files.move(access, moved);
            Files.move(dir.resolve("logs/zygote-host.log"), masterMoved);
            new ProcessBuilder("kill", "-USR1", Integer.toString(host.pid())).start().waitFor();
            RunningHost.await("the master reopened its log", Duration.ofSeconds(10),
                    () -> host.log().contains("reopened the log files"));
            for (int i = 0; i < 5; i++) {
                assertEquals(200, RunningHost.get(port, "/after").statusCode());
            }
            RunningHost.await("5 lines in the new access log", Duration.ofSeconds(10), () -> lines(access).size() == 5);
            assertEquals(10, lines(moved).size());
            assertTrue(lines(moved).stream().allMatch(l -> l.contains("/before")), "the moved file keeps the old lines");
            assertTrue(lines(access).stream().allMatch(l -> l.contains("/after")), "the new file has the new lines");
            assertFalse(RunningHost.read(masterMoved).contains("reopened the log files"), "the master's own log reopened too");
            assertTrue(host.process.isAlive(), "USR1 does not stop the host");
        }
    }

    private List<Path> accessFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("hello.access.log")).sorted().toList();
        }
    }

    private static List<String> lines(Path file) {
        String text = RunningHost.read(file);
        return text.isEmpty() ? List.of() : text.lines().toList();
    }
}
