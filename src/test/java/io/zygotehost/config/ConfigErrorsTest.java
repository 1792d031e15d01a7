package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configs that are wrong: each problem must carry the exact line, column, key and a useful message. */
class ConfigErrorsTest {

    private static final Path FILE = Path.of("conf/host.yml");

    /** Lines 1-5 of most scenarios: one valid app, whose block the scenario extends from line 6. */
    private static final String HELLO = """
            apps:
              hello:
                path: app
                class: example.App
                listen: 8080
            """;

    @Test
    void unknownKeySuggestsTheClosestKnownOne() {
        // Proves "worker: 4" is refused at its key, with "did you mean 'workers'?" and the exact text format.
        ConfigProblem p = only(HELLO + "    worker: 4\n");
        assertProblem(p, 6, 5, "apps.hello.worker", "unknown key 'worker'", "did you mean 'workers'?");
        assertEquals("conf/host.yml:6:5: apps.hello.worker: unknown key 'worker'. Fix: did you mean 'workers'?",
                p.toString());
    }

    @Test
    void unknownKeyInHostSectionsToo() {
        // Proves unknown keys are caught in host:, its nested log_rotation:, and at the top level.
        List<ConfigProblem> ps = problems("""
                host:
                  shutdown_timout: 10s
                  log_rotation: { max_sise: 1m }
                hosts: {}
                """ + HELLO);
        assertEquals(3, ps.size(), ps.toString());
        assertProblem(ps.get(0), 2, 3, "host.shutdown_timout", "unknown key", "did you mean 'shutdown_timeout'?");
        assertProblem(ps.get(1), 3, 19, "host.log_rotation.max_sise", "unknown key", "did you mean 'max_size'?");
        assertProblem(ps.get(2), 4, 1, "hosts", "unknown key 'hosts'", "did you mean 'host'?");
    }

    @Test
    void unknownKeyWithNothingCloseListsTheKnownKeys() {
        // Proves a key far from every known one gets the list of valid keys instead of a guess.
        ConfigProblem p = only("host:\n  banana: 1\n" + HELLO);
        assertProblem(p, 2, 3, "host.banana", "unknown key 'banana'", "known keys here: run_dir, log_dir");
    }

    @Test
    void wrongTypeSaysWhatWasExpected() {
        // Proves a word where a number belongs is refused at the value.
        assertProblem(only(HELLO + "    workers: four\n"), 6, 14, "apps.hello.workers",
                "expected a whole number, got \"four\"", null);
        assertProblem(only(HELLO + "    workers: [4]\n"), 6, 14, "apps.hello.workers",
                "expected a whole number, got a list", null);
        assertProblem(only(HELLO + "    threads: 2.5\n"), 6, 14, "apps.hello.threads",
                "expected a whole number, got \"2.5\"", null);
        assertProblem(only(HELLO + "    env: [A]\n"), 6, 10, "apps.hello.env", "expected a mapping, got a list", null);
        assertProblem(only(HELLO + "    args: --verbose\n"), 6, 11, "apps.hello.args",
                "expected a list, got \"--verbose\"", "write [ ... ]");
    }

    @Test
    void booleansAreOnlyTrueOrFalse() {
        // Proves YAML 1.1 spellings such as "yes" are refused rather than read as booleans.
        assertProblem(only(HELLO + "    watch: yes\n"), 6, 12, "apps.hello.watch",
                "expected true or false, got \"yes\"", "write true or false");
    }

    @Test
    void durationWithoutUnitAsksForOne() {
        // Proves a bare number as a duration is refused with a fix naming the seconds spelling.
        assertProblem(only(HELLO + "    graceful_timeout: 30\n"), 6, 23, "apps.hello.graceful_timeout",
                "a duration needs a unit, got \"30\"", "write 30s");
    }

    @Test
    void durationThatMustBePositive() {
        // Proves timeouts refuse 0, which would mean "give up at once".
        assertProblem(only(HELLO + "    timeout: 0\n"), 6, 14, "apps.hello.timeout", "must be greater than 0",
                "30s");
    }

    @Test
    void decimalSizeUnitSuggestsBinaryOnes() {
        // Proves "64MB" is refused with a fix suggesting m or MiB.
        assertProblem(only(HELLO + "    heap: 64MB\n"), 6, 11, "apps.hello.heap", "\"64MB\"",
                "sizes are binary: write 64m or 64MiB");
    }

    @Test
    void sizeLimits() {
        // Proves heap below 16m, max_body 0 and a max_body too large for Netty's int limit are refused.
        assertProblem(only(HELLO + "    heap: 8m\n"), 6, 11, "apps.hello.heap", "must be at least 16m, got 8m", null);
        assertProblem(only(HELLO + "    max_body: 0\n"), 6, 15, "apps.hello.max_body", "must be greater than 0", null);
        assertProblem(only(HELLO + "    max_body: 2g\n"), 6, 15, "apps.hello.max_body", "must be less than 2g, got 2g", "2047m");
    }

    @Test
    void httpLimitsOutOfRange() {
        // Proves the request line and header limits stay between 1k and 1m, and the HTTP timeouts refuse 0.
        assertProblem(only(HELLO + "    max_request_line: 100\n"), 6, 23, "apps.hello.max_request_line",
                "must be between 1k and 1m, got 100", null);
        assertProblem(only(HELLO + "    max_header_size: 2m\n"), 6, 22, "apps.hello.max_header_size",
                "must be between 1k and 1m, got 2m", null);
        assertProblem(only(HELLO + "    header_timeout: 0\n"), 6, 21, "apps.hello.header_timeout",
                "must be greater than 0", "10s");
        assertProblem(only(HELLO + "    keep_alive_timeout: 5\n"), 6, 25, "apps.hello.keep_alive_timeout",
                "a duration needs a unit, got \"5\"", "write 5s");
    }

    @Test
    void zeroWorkersIsRefused() {
        // Proves workers must be at least 1.
        assertProblem(only(HELLO + "    workers: 0\n"), 6, 14, "apps.hello.workers",
                "must be between 1 and 1024, got 0", null);
    }

    @Test
    void maxWorkersBelowWorkersIsRefused() {
        // Proves max_workers < workers is reported at max_workers, naming the workers value.
        assertProblem(only(HELLO + "    workers: 4\n    max_workers: 2\n"), 7, 18, "apps.hello.max_workers",
                "must be at least workers (4), got 2", "raise max_workers to 4");
    }

    @Test
    void jitterAboveItsBaseIsRefused() {
        // Proves both jitters are checked against their base values and reported at the jitter.
        List<ConfigProblem> ps = problems(HELLO + """
                    max_requests: 100
                    max_requests_jitter: 200
                    max_age: 1m
                    max_age_jitter: 5m
                """);
        assertEquals(2, ps.size(), ps.toString());
        assertProblem(ps.get(0), 7, 26, "apps.hello.max_requests_jitter", "must not exceed max_requests (100), got 200",
                "at most 100");
        assertProblem(ps.get(1), 9, 21, "apps.hello.max_age_jitter", "must not exceed max_age (1m), got 5m",
                "at most 1m");
    }

    @Test
    void jitterWithoutBaseSaysToSetTheBase() {
        // Proves a jitter on a feature that is off points the user at the base setting.
        assertProblem(only(HELLO + "    max_age_jitter: 5m\n"), 6, 21, "apps.hello.max_age_jitter",
                "must not exceed max_age (0)", "set max_age too");
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOne() {
        // Proves a key given twice is refused at its second occurrence, naming the first line.
        assertProblem(only(HELLO + "    workers: 2\n    workers: 3\n"), 7, 5, "apps.hello.workers",
                "duplicate key 'workers' (first at line 6)", "remove one");
    }

    @Test
    void duplicateAppNameIsReported() {
        // Proves two apps with the same name are refused at the second one.
        ConfigProblem p = only(HELLO + """
                  hello:
                    path: other
                    class: a.B
                    listen: 8081
                """);
        assertProblem(p, 6, 3, "apps.hello", "duplicate key 'hello' (first at line 2)", null);
    }

    @Test
    void duplicateListenAddressPointsAtTheSecondApp() {
        // Proves two apps on one address are refused at the second app's listen value.
        ConfigProblem p = only(HELLO + """
                  other:
                    path: other
                    class: a.B
                    listen: 0.0.0.0:8080
                """);
        assertProblem(p, 9, 13, "apps.other.listen", "0.0.0.0:8080 is already used by app 'hello' (line 5)",
                "own port");
    }

    @Test
    void wildcardListenOverlapsASpecificAddress() {
        // Proves 127.0.0.1:8080 clashes with an earlier 0.0.0.0:8080, since the wildcard takes every interface.
        ConfigProblem p = only(HELLO + "  other:\n    path: o\n    class: a.B\n    listen: localhost:8080\n");
        assertProblem(p, 9, 13, "apps.other.listen", "127.0.0.1:8080 overlaps 0.0.0.0:8080 of app 'hello'", null);
    }

    @Test
    void appOnTheAdminAddressIsRefused() {
        // Proves an app may not listen where the admin endpoint does.
        ConfigProblem p = only("host:\n  admin: 127.0.0.1:8080\n" + HELLO);
        assertProblem(p, 7, 13, "apps.hello.listen", "overlaps 127.0.0.1:8080 of host.admin (line 2)", null);
    }

    @Test
    void badListenTextIsRefused() {
        // Proves listen text that is not an address is refused at the value, with the parser's advice.
        assertProblem(only(HELLO.replace("8080", "example.com:80")), 5, 13, "apps.hello.listen",
                "host must be a literal IP address or localhost, got \"example.com\"", "0.0.0.0:80");
        assertProblem(only(HELLO.replace("8080", "70000")), 5, 13, "apps.hello.listen",
                "port must be 1..65535, got 70000", null);
        assertProblem(only(HELLO.replace("8080", "\"::1:8080\"")), 5, 13, "apps.hello.listen",
                "needs brackets", "write [::1]:8080");
    }

    @Test
    void missingRequiredKeysPointAtTheApp() {
        // Proves an app without path, class and listen gets one problem for each, at the app's name.
        List<ConfigProblem> ps = problems("apps:\n  hello:\n    workers: 2\n");
        assertEquals(3, ps.size(), ps.toString());
        assertProblem(ps.get(0), 2, 3, "apps.hello.path", "missing required key 'path'", "add path:");
        assertProblem(ps.get(1), 2, 3, "apps.hello.class", "missing required key 'class'", "add class:");
        assertProblem(ps.get(2), 2, 3, "apps.hello.listen", "missing required key 'listen'", "listen: 8080");
    }

    @Test
    void appThatIsNotAMappingGetsOneProblem() {
        // Proves an app given as a list is one problem, not also three "missing key" ones.
        assertProblem(only("apps:\n  hello: [8080]\n"), 2, 10, "apps.hello", "expected a mapping, got a list", null);
    }

    @Test
    void requiredKeyWithoutValuePointsAtTheKey() {
        // Proves "path:" with nothing after it is reported at that key, not at the app.
        assertProblem(only(HELLO.replace("path: app", "path:")), 3, 5, "apps.hello.path",
                "required key 'path' has no value", "add path:");
    }

    @Test
    void invalidPathIsAProblemNotACrash() {
        // Proves a path the file system cannot represent (a NUL character) is reported, for host and app paths.
        List<ConfigProblem> ps = problems("host:\n  run_dir: \"a\\0b\"\n" + HELLO.replace("path: app", "path: \"x\\0\""));
        assertEquals(2, ps.size(), ps.toString());
        assertProblem(ps.get(0), 2, 12, "host.run_dir", "not a valid path", null);
        assertProblem(ps.get(1), 5, 11, "apps.hello.path", "not a valid path", null);
    }

    @Test
    void badClassNameSuggestsTheDottedForm() {
        // Proves a file-like class name is refused with its binary-name spelling as the fix.
        assertProblem(only(HELLO.replace("example.App", "example/hello/HelloApp.class")), 4, 12, "apps.hello.class",
                "expected a Java class name", "write example.hello.HelloApp");
        assertProblem(only(HELLO.replace("example.App", "\"my app\"")), 4, 12, "apps.hello.class",
                "expected a Java class name", null);
    }

    @Test
    void yamlSyntaxErrorIsReportedAtItsMark() {
        // Proves a YAML syntax error becomes one problem at the parser's line and column.
        ConfigProblem p = only("apps:\n  hello:\n    path: app\n    class: a.B: c\n");
        assertProblem(p, 4, 15, "", "YAML syntax error: mapping values are not allowed here", null);
        assertTrue(p.toString().startsWith("conf/host.yml:4:15: YAML syntax error"), p.toString());
    }

    @Test
    void tabIndentationGetsAFix() {
        // Proves the common tab mistake gets a plain-words fix.
        ConfigProblem p = only("apps:\n\thello: {}\n");
        assertProblem(p, 2, 1, "", "YAML syntax error", "indent with spaces, not tabs");
    }

    @Test
    void nonLoopbackAdminNeedsAToken() {
        // Proves admin on a public address without admin_token is refused at the admin line.
        assertProblem(only("host:\n  admin: 0.0.0.0:9180\n" + HELLO), 2, 10, "host.admin_token",
                "is required when admin listens on a non-loopback address (0.0.0.0:9180)", "127.0.0.1:9180");
        assertProblem(only("host:\n  admin: \"[::]:9180\"\n" + HELLO), 2, 10, "host.admin_token",
                "non-loopback address ([::]:9180)", null);
    }

    @Test
    void badAppNameIsRefusedAtTheName() {
        // Proves names unsafe for file names are refused, while the app's settings are still checked.
        List<ConfigProblem> ps = problems(HELLO.replace("hello:", "Hello World:") + "    workers: 0\n");
        assertEquals(2, ps.size(), ps.toString());
        assertProblem(ps.get(0), 2, 3, "apps.Hello World", "app name 'Hello World' is not allowed", "a-z, 0-9");
        assertProblem(ps.get(1), 6, 14, "apps.Hello World.workers", "must be between 1 and 1024", null);
    }

    @Test
    void envNamesAndValuesAreChecked() {
        // Proves env names must be shell-safe and values must be scalars.
        List<ConfigProblem> ps = problems(HELLO + "    env:\n      1BAD: x\n      EMPTY:\n      LIST: [a]\n");
        assertEquals(3, ps.size(), ps.toString());
        assertProblem(ps.get(0), 7, 7, "apps.hello.env.1BAD", "name '1BAD' is not allowed", "letters, digits");
        assertProblem(ps.get(1), 8, 7, "apps.hello.env.EMPTY", "expected a value, got nothing", "write \"\"");
        assertProblem(ps.get(2), 9, 13, "apps.hello.env.LIST", "expected a value, got a list", null);
    }

    @Test
    void warmupPathMustStartWithSlash() {
        // Proves a relative warm-up path is refused with the slash-prefixed fix.
        assertProblem(only(HELLO + "    warmup: { path: health }\n"), 6, 21, "apps.hello.warmup.path",
                "must start with '/'", "write /health");
    }

    @Test
    void listItemsMustBeScalars() {
        // Proves a nested list inside args is refused at the item, with its index in the key.
        assertProblem(only(HELLO + "    args: [a, [b]]\n"), 6, 15, "apps.hello.args[1]",
                "expected a string, got a list", null);
    }

    @Test
    void emptyFileSaysSo() {
        // Proves an empty (or comment-only) file is refused with a clear problem.
        assertProblem(only(""), 1, 1, "apps", "the config file is empty", "at least one app");
        assertProblem(only("# nothing yet\n"), 1, 1, "apps", "the config file is empty", null);
    }

    @Test
    void missingOrEmptyAppsIsRefused() {
        // Proves a file without apps, or with an empty apps mapping, is refused.
        assertProblem(only("host:\n  memory_limit: 1g\n"), 1, 1, "apps", "missing required key 'apps'", null);
        assertProblem(only("apps: {}\n"), 1, 7, "apps", "declares no apps", null);
        assertProblem(only("apps: [hello]\n"), 1, 7, "apps", "expected a mapping, got a list", null);
        assertProblem(only("- apps\n"), 1, 1, "", "expected a mapping with host: and apps:", null);
    }

    @Test
    void severalProblemsAreReportedAtOnceInFileOrder() {
        // Proves one load reports every problem, sorted by position, and getMessage lists them one per line.
        String yaml = """
                host:
                  shutdown_timeout: 30
                apps:
                  hello:
                    path: app
                    class: example.App
                    listen: 8080
                    workers: 0
                    heap: 1GB
                  second:
                    path: b
                    class: b.B
                    listen: 8080
                    watch: maybe
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE));
        List<ConfigProblem> ps = e.problems();
        assertEquals(5, ps.size(), ps.toString());
        assertEquals(List.of(2, 8, 9, 13, 14), ps.stream().map(ConfigProblem::line).toList());
        assertEquals(List.of("host.shutdown_timeout", "apps.hello.workers", "apps.hello.heap", "apps.second.listen",
                "apps.second.watch"), ps.stream().map(ConfigProblem::key).toList());
        String[] lines = e.getMessage().split("\n");
        assertEquals(5, lines.length);
        for (int i = 0; i < lines.length; i++) {
            assertEquals(ps.get(i).toString(), lines[i]);
        }
    }

    @Test
    void unreadableFileIsReportedOnLineZero(@TempDir Path dir) {
        // Proves an I/O failure becomes a ConfigException naming the file and the cause, without a position.
        Path missing = dir.resolve("nope.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        ConfigProblem p = e.problems().getFirst();
        assertEquals(0, p.line());
        assertEquals(missing, p.file());
        assertEquals(missing + ": cannot read the config file: it does not exist", p.toString());
    }

    @Test
    void invalidUtf8IsReported(@TempDir Path dir) throws Exception {
        // Proves a file that is not UTF-8 gets a clear problem rather than an exception escaping.
        Path file = dir.resolve("host.yml");
        Files.write(file, new byte[] {'a', 'p', 'p', 's', ':', ' ', (byte) 0xff, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void aliasBombsAreStopped() {
        // Proves the alias limit turns a "billion laughs" document into a problem instead of exhausting memory.
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml.toString(), FILE));
        assertTrue(e.getMessage().toLowerCase().contains("alias"), e.getMessage());
    }

    private static List<ConfigProblem> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE)).problems();
    }

    private static ConfigProblem only(String yaml) {
        List<ConfigProblem> ps = problems(yaml);
        assertEquals(1, ps.size(), () -> "expected one problem, got " + ps);
        return ps.getFirst();
    }

    /** Checks position and key exactly; message and fix by containment (null fix: not checked). */
    private static void assertProblem(ConfigProblem p, int line, int column, String key, String message, String fix) {
        String where = p.toString();
        assertEquals(FILE, p.file(), where);
        assertEquals(line, p.line(), where);
        assertEquals(column, p.column(), where);
        assertEquals(key, p.key(), where);
        assertTrue(p.message().contains(message), where);
        if (fix != null) {
            assertTrue(p.fix() != null && p.fix().contains(fix), where);
        }
    }

    @Test
    void problemTextLeavesOutAMissingFix() {
        // Proves toString omits ". Fix:" when there is no fix, and the key when there is none.
        assertEquals("f.yml:3:4: a.b: bad", new ConfigProblem(Path.of("f.yml"), 3, 4, "a.b", "bad", null).toString());
        assertEquals("f.yml:3:4: oops", new ConfigProblem(Path.of("f.yml"), 3, 4, "", "oops", null).toString());
        assertNull(new ConfigProblem(Path.of("f.yml"), 3, 4, "k", "m", null).fix());
    }
}
