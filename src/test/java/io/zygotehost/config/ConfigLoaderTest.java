package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configs that are valid: every value read, defaults, paths and file loading. */
class ConfigLoaderTest {

    private static final Path FILE = Path.of("/srv/zh/conf/host.yml");

    private static final String FULL = """
            host:
              run_dir: ../run
              log_dir: /var/log/zh
              memory_limit: 4g
              admin: 0.0.0.0:9180
              admin_token: s3cret
              shutdown_timeout: 45s
              log_rotation: { max_size: 20m, keep: 3, every: 6h }

            apps:
              hello:
                path: ../examples/hello/current
                version: 1.10
                class: example.hello.HelloApp
                args: [--greeting, hi, 42, true]
                listen: 8080
                workers: 4
                max_workers: 6
                memory: 1g
                max_worker_memory: 200m
                max_requests: 10000
                max_requests_jitter: 1000
                max_age: 6h
                max_age_jitter: 10m
                graceful_timeout: 20s
                timeout: 15s
                request_timeout: 2m
                max_body: 1m
                max_request_line: 4k
                max_header_size: 32k
                header_timeout: 3s
                keep_alive_timeout: 15s
                threads: 0
                heap: 128m
                jvm_options: [-XX:+UseSerialGC, -Dfoo=bar]
                env: { APP_MODE: prod, PORT_HINT: 8080, DEBUG: false }
                spares: 2
                warmup: { path: /health, requests: 50 }
                access_log: false
                watch: true
                user: nobody
                group: nogroup
              api:
                path: /opt/api
                class: com.example.Api$Main
                listen: "[::1]:8081"
            """;

    @Test
    void fullConfigReadsEveryValue() throws Exception {
        // Proves every key of a complete config ends up, converted, in the right record component.
        HostConfig config = ConfigLoader.parse(FULL, FILE);

        assertEquals(FILE, config.file());
        HostSettings host = config.host();
        assertEquals(Path.of("/srv/zh/run"), host.runDir());
        assertEquals(Path.of("/var/log/zh"), host.logDir());
        assertEquals(4L << 30, host.memoryLimit());
        assertEquals(Optional.of(new ListenAddress("0.0.0.0", 9180)), host.admin());
        assertEquals(Optional.of("s3cret"), host.adminToken());
        assertEquals(Duration.ofSeconds(45), host.shutdownTimeout());
        assertEquals(new LogRotation(20L << 20, 3, Duration.ofHours(6)), host.logRotation());

        AppConfig hello = config.apps().get("hello");
        assertEquals("hello", hello.name());
        assertEquals(Path.of("/srv/zh/examples/hello/current"), hello.path());
        assertEquals(Optional.of("1.10"), hello.version());
        assertEquals("example.hello.HelloApp", hello.className());
        assertEquals(List.of("--greeting", "hi", "42", "true"), hello.args());
        assertEquals(new ListenAddress("0.0.0.0", 8080), hello.listen());
        assertEquals(4, hello.workers());
        assertEquals(6, hello.maxWorkers());
        assertEquals(1L << 30, hello.memory());
        assertEquals(200L << 20, hello.maxWorkerMemory());
        assertEquals(10_000, hello.maxRequests());
        assertEquals(1_000, hello.maxRequestsJitter());
        assertEquals(Duration.ofHours(6), hello.maxAge());
        assertEquals(Duration.ofMinutes(10), hello.maxAgeJitter());
        assertEquals(Duration.ofSeconds(20), hello.gracefulTimeout());
        assertEquals(Duration.ofSeconds(15), hello.timeout());
        assertEquals(Duration.ofMinutes(2), hello.requestTimeout());
        assertEquals(1L << 20, hello.maxBody());
        assertEquals(new HttpLimits(4096, 32768, 3_000, 15_000), hello.httpLimits());
        assertEquals(0, hello.threads());
        assertEquals(128L << 20, hello.heap());
        assertEquals(List.of("-XX:+UseSerialGC", "-Dfoo=bar"), hello.jvmOptions());
        assertEquals(Map.of("APP_MODE", "prod", "PORT_HINT", "8080", "DEBUG", "false"), hello.env());
        assertEquals(List.of("APP_MODE", "PORT_HINT", "DEBUG"), List.copyOf(hello.env().keySet()));
        assertEquals(2, hello.spares());
        assertEquals(new Warmup("/health", 50), hello.warmup());
        assertFalse(hello.accessLog());
        assertTrue(hello.watch());
        assertEquals(Optional.of("nobody"), hello.user());
        assertEquals(Optional.of("nogroup"), hello.group());

        AppConfig api = config.apps().get("api");
        assertEquals(Path.of("/opt/api"), api.path());
        assertEquals("com.example.Api$Main", api.className());
        assertEquals(new ListenAddress("::1", 8081), api.listen());
    }

    @Test
    void designExampleParses() throws Exception {
        // Proves the annotated example from the design document, comments and nulls included, is accepted as is.
        String yaml = """
                host:
                  run_dir: ../run            # default: "run" beside the config file
                  log_dir: ../logs           # default: "logs" beside the config file
                  memory_limit: 4g           # default: none (0 = no limit)
                  admin: 127.0.0.1:9180      # optional; a bare port means 127.0.0.1:PORT here
                  admin_token: null          # required (error) when admin is not a loopback address
                  shutdown_timeout: 30s      # default 30s
                  log_rotation: { max_size: 50m, keep: 10, every: 1d }   # defaults; keep 1..1000; every 0 = by size only

                apps:                                  # required, at least one app; order of the file is kept
                  hello:                               # app name
                    path: ../examples/hello/current    # REQUIRED
                    version: null                      # optional string
                    class: example.hello.HelloApp      # REQUIRED
                    args: [--greeting, hi]             # list of scalars -> strings; default []
                    listen: 8080                       # REQUIRED
                    workers: 4                         # default 2; 1..1024
                    max_workers: 6                     # default = workers; must be >= workers
                    memory: 1g                         # default 0 = no budget
                    max_worker_memory: 200m            # default 0 = none
                    max_requests: 10000                # default 0 = off; >= 0
                    max_requests_jitter: 1000          # default 0; must be <= max_requests
                    max_age: 6h                        # default 0 = off
                    max_age_jitter: 10m                # default 0; must be <= max_age
                    graceful_timeout: 30s              # default 30s; > 0
                    timeout: 30s                       # default 30s; > 0
                    request_timeout: 60s               # default 60s; > 0
                    max_body: 10m                      # default 10m; > 0
                    threads: 16                        # default 16; 0..1024
                    heap: 64m                          # default 64m; >= 16m
                    jvm_options: []                    # list of strings; default []
                    env: {}                            # map NAME -> scalar
                    spares: 0                          # default 0; 0..16
                    warmup: { path: /, requests: 0 }   # defaults path "/", requests 0
                    access_log: true                   # default true
                    watch: false                       # default false
                    user: null                         # optional string
                    group: null                        # optional string
                """;
        HostConfig config = ConfigLoader.parse(yaml, FILE);
        assertEquals(Optional.of(new ListenAddress("127.0.0.1", 9180)), config.host().admin());
        assertEquals(Optional.empty(), config.host().adminToken());
        AppConfig hello = config.apps().get("hello");
        assertEquals(Path.of("/srv/zh/examples/hello/current"), hello.path());
        assertEquals(6, hello.maxWorkers());
        assertEquals(Optional.empty(), hello.user());
    }

    @Test
    void appsKeepTheFileOrderAndAreUnmodifiable() throws Exception {
        // Proves apps come back in file order (not sorted or hashed) and cannot be changed.
        String yaml = "apps:\n" + app("zeta", 8001) + app("alpha", 8002) + app("mid", 8003);
        HostConfig config = ConfigLoader.parse(yaml, FILE);
        assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(config.apps().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> config.apps().remove("zeta"));
        assertThrows(UnsupportedOperationException.class, () -> config.apps().get("zeta").args().add("x"));
    }

    @Test
    void defaultsApplyWhenKeysAreLeftOut() throws Exception {
        // Proves a minimal config gets the documented default for every optional key.
        HostConfig config = ConfigLoader.parse("apps:\n" + app("hello", 8080), FILE);

        HostSettings host = config.host();
        assertEquals(Path.of("/srv/zh/conf/run"), host.runDir());
        assertEquals(Path.of("/srv/zh/conf/logs"), host.logDir());
        assertEquals(0, host.memoryLimit());
        assertEquals(Optional.empty(), host.admin());
        assertEquals(Optional.empty(), host.adminToken());
        assertEquals(Duration.ofSeconds(30), host.shutdownTimeout());
        assertEquals(new LogRotation(50L << 20, 10, Duration.ofDays(1)), host.logRotation());

        AppConfig app = config.apps().get("hello");
        assertEquals(Optional.empty(), app.version());
        assertEquals(List.of(), app.args());
        assertEquals(2, app.workers());
        assertEquals(2, app.maxWorkers());
        assertEquals(0, app.memory());
        assertEquals(0, app.maxWorkerMemory());
        assertEquals(0, app.maxRequests());
        assertEquals(0, app.maxRequestsJitter());
        assertEquals(Duration.ZERO, app.maxAge());
        assertEquals(Duration.ZERO, app.maxAgeJitter());
        assertEquals(Duration.ofSeconds(30), app.gracefulTimeout());
        assertEquals(Duration.ofSeconds(30), app.timeout());
        assertEquals(Duration.ofSeconds(60), app.requestTimeout());
        assertEquals(10L << 20, app.maxBody());
        assertEquals(new HttpLimits(8192, 16384, 10_000, 5_000), app.httpLimits());
        assertEquals(16, app.threads());
        assertEquals(64L << 20, app.heap());
        assertEquals(List.of(), app.jvmOptions());
        assertEquals(Map.of(), app.env());
        assertEquals(0, app.spares());
        assertEquals(new Warmup("/", 0), app.warmup());
        assertTrue(app.accessLog());
        assertFalse(app.watch());
        assertEquals(Optional.empty(), app.user());
        assertEquals(Optional.empty(), app.group());
    }

    @Test
    void maxWorkersDefaultsToWorkers() throws Exception {
        // Proves max_workers follows workers when it is not given.
        HostConfig config = ConfigLoader.parse("apps:\n" + app("hello", 8080) + "    workers: 5\n", FILE);
        assertEquals(5, config.apps().get("hello").maxWorkers());
    }

    @Test
    void explicitNullMeansDefault() throws Exception {
        // Proves "key: null" (or an empty value) is the same as leaving the key out.
        String yaml = "host:\n  admin: null\n  admin_token: ~\napps:\n" + app("hello", 8080)
                + "    version: null\n    workers:\n    user: ~\n";
        HostConfig config = ConfigLoader.parse(yaml, FILE);
        assertEquals(Optional.empty(), config.host().admin());
        assertEquals(2, config.apps().get("hello").workers());
        assertEquals(Optional.empty(), config.apps().get("hello").version());
    }

    @Test
    void relativePathsResolveAgainstTheConfigDirectory() throws Exception {
        // Proves relative paths are taken from the config file's directory and normalized, not made canonical.
        String yaml = """
                host:
                  run_dir: ./state/../run
                  log_dir: ../../logs
                apps:
                  hello:
                    path: releases/hello/current/
                    class: a.B
                    listen: 8080
                """;
        HostConfig config = ConfigLoader.parse(yaml, FILE);
        assertEquals(Path.of("/srv/zh/conf/run"), config.host().runDir());
        assertEquals(Path.of("/srv/logs"), config.host().logDir());
        assertEquals(Path.of("/srv/zh/conf/releases/hello/current"), config.apps().get("hello").path());
    }

    @Test
    void relativeConfigFileResolvesAgainstTheWorkingDirectory() throws Exception {
        // Proves a config named by a relative path still yields absolute paths.
        HostConfig config = ConfigLoader.parse("apps:\n" + app("hello", 8080), Path.of("conf/host.yml"));
        Path expectedDir = Path.of("conf").toAbsolutePath().normalize();
        assertEquals(expectedDir.resolve("host.yml"), config.file());
        assertEquals(expectedDir.resolve("app"), config.apps().get("hello").path());
        assertEquals(expectedDir.resolve("run"), config.host().runDir());
    }

    @Test
    void symlinksInPathsAreNotResolved(@TempDir Path dir) throws Exception {
        // Proves a "current" symlink stays in the path, so a deploy can switch it.
        Files.createDirectories(dir.resolve("v1"));
        Files.createSymbolicLink(dir.resolve("current"), dir.resolve("v1"));
        Path file = dir.resolve("host.yml");
        Files.writeString(file, "apps:\n  hello:\n    path: current\n    class: a.B\n    listen: 8080\n");
        assertEquals(dir.resolve("current"), ConfigLoader.load(file).apps().get("hello").path());
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws Exception {
        // Proves load reads the file from disk and resolves paths beside it.
        Path file = dir.resolve("host.yml");
        Files.writeString(file, FULL);
        HostConfig config = ConfigLoader.load(file);
        assertEquals(dir.getParent().resolve("run"), config.host().runDir());
        assertEquals(List.of("hello", "api"), List.copyOf(config.apps().keySet()));
    }

    @Test
    void localhostAndBarePortAdmin() throws Exception {
        // Proves a bare admin port binds loopback (so no token is needed) and localhost means 127.0.0.1.
        HostConfig config = ConfigLoader.parse("host:\n  admin: 9180\napps:\n" + app("hello", 8080), FILE);
        assertEquals(Optional.of(new ListenAddress("127.0.0.1", 9180)), config.host().admin());
        assertTrue(config.host().admin().orElseThrow().isLoopback());
        HostConfig local = ConfigLoader.parse("apps:\n  a:\n    path: a\n    class: a.B\n    listen: localhost:8080\n", FILE);
        assertEquals(new ListenAddress("127.0.0.1", 8080), local.apps().get("a").listen());
    }

    @Test
    void differentHostsMayShareAPort() throws Exception {
        // Proves two specific addresses on the same port do not clash.
        String yaml = "apps:\n" + app("a", 8080).replace("8080", "127.0.0.1:8080")
                + app("b", 8080).replace("8080", "127.0.0.2:8080");
        assertEquals(2, ConfigLoader.parse(yaml, FILE).apps().size());
    }

    @Test
    void mergeKeysReuseAnotherAppsSettings() throws Exception {
        // Proves "<<: *anchor" copies settings from another app, and explicit keys win over merged ones.
        String yaml = """
                apps:
                  a: &common
                    path: shared
                    class: a.Main
                    listen: 8080
                    workers: 3
                  b:
                    <<: *common
                    listen: 8081
                """;
        HostConfig config = ConfigLoader.parse(yaml, FILE);
        AppConfig b = config.apps().get("b");
        assertEquals(3, b.workers());
        assertEquals("a.Main", b.className());
        assertEquals(8081, b.listen().port());
    }

    @Test
    void booleanSpellings() throws Exception {
        // Proves True/FALSE are accepted as booleans like true/false.
        HostConfig config = ConfigLoader.parse("apps:\n" + app("a", 8080) + "    access_log: FALSE\n    watch: True\n", FILE);
        assertFalse(config.apps().get("a").accessLog());
        assertTrue(config.apps().get("a").watch());
    }

    /** A minimal valid app block, indented to sit under {@code apps:}. */
    static String app(String name, int port) {
        return "  " + name + ":\n    path: app\n    class: example.App\n    listen: " + port + "\n";
    }
}
