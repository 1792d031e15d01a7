package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.AppConfig;
import io.zygotehost.config.ConfigLoader;
import io.zygotehost.config.Warmup;
import io.zygotehost.ipc.GenerationSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a worker is started with: the measured defaults first, the user's jvm_options last. */
class ChildCommandsTest {

    private static final Release RELEASE = new Release("v1", Path.of("/apps/hello/v1"),
            List.of(Path.of("/apps/hello/v1/hello.jar")), "abc");

    /** The hello app at /apps/hello/v1 on port 8080, with more settings (one per line). */
    static AppConfig app(String settings) throws Exception {
        return ConfigLoader.parse("""
                apps:
                  hello:
                    path: /apps/hello/v1
                    class: example.hello.HelloApp
                    listen: 8080
                """ + settings.indent(4), Path.of("/conf/apps.yml")).apps().get("hello");
    }

    private static GenerationSpec spec(AppConfig app, int cores, Optional<Path> nettyNative) {
        return new ChildCommands("/jdk/bin/java", "/host.jar", Path.of("/run/ipc.sock"), Map.of(), cores, nettyNative,
                Optional.empty())
                .spec(app, RELEASE, 1);
    }

    @Test
    void theCoresAreSharedAmongTheAppsWorkersAtLeastOneLoopEach() throws Exception {
        assertTrue(spec(app("workers: 2"), 8, Optional.empty()).workerCommand().contains("-Dio.netty.eventLoopThreads=4"));
        assertTrue(spec(app("workers: 4"), 2, Optional.empty()).workerCommand().contains("-Dio.netty.eventLoopThreads=1"));
    }

    @Test
    void workersKeepNettysFlightRecorderEventsOffUnlessTheAppAsks() throws Exception {
        assertTrue(spec(app("workers: 2"), 2, Optional.empty()).workerCommand().contains("-Dio.netty.jfr.enabled=false"));
        List<String> command = spec(app("jvm_options: [-Dio.netty.jfr.enabled=true]"), 2, Optional.empty()).workerCommand();
        assertTrue(command.indexOf("-Dio.netty.jfr.enabled=true") > command.indexOf("-Dio.netty.jfr.enabled=false"));
    }

    @Test
    void workersLoadNettysLibraryFromTheFolderTheMasterExtractedItTo() throws Exception {
        List<String> command = spec(app("workers: 1"), 2, Optional.of(Path.of("/run/native/0123"))).workerCommand();
        assertTrue(command.stream().anyMatch(flag -> flag.startsWith("-Djava.library.path=/run/native/0123:")), command.toString());
        assertTrue(spec(app("workers: 1"), 2, Optional.empty()).workerCommand().stream()
                .noneMatch(flag -> flag.startsWith("-Djava.library.path")));
    }

    @Test
    void theUsersJvmOptionsComeLastSoTheyWin() throws Exception {
        List<String> command = spec(app("jvm_options: [-Xms64m, -Dio.netty.eventLoopThreads=3]"), 2, Optional.empty())
                .workerCommand();
        int ours = command.indexOf("-Xms8m");
        int theirs = command.indexOf("-Xms64m");
        assertTrue(ours > 0 && theirs > ours, command.toString());
        assertTrue(command.indexOf("-Dio.netty.eventLoopThreads=3") > command.indexOf("-Dio.netty.eventLoopThreads=1"));
        assertEquals("-cp", command.get(theirs + 2));
    }

    @Test
    void theWarmupAndHalfTheTimeoutGoToTheWorkers() throws Exception {
        GenerationSpec spec = spec(app("timeout: 20s\nwarmup: { path: /health, requests: 300 }"), 2, Optional.empty());
        assertEquals(new Warmup("/health", 300), spec.warmup());
        assertEquals(10_000, spec.warmupLimitMillis());
        assertEquals(spec, GenerationSpec.fromJson(spec.toJson()), "it travels as JSON");
    }
}
