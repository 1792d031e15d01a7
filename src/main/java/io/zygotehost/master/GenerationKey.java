package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.ListenAddress;
import io.zygotehost.config.Warmup;
import java.util.List;
import java.util.Map;

/**
 * Everything that, when it changes, needs new processes: a new generation. The rest of an app's
 * config (worker count, caps, timeouts, limits) applies in place.
 */
record GenerationKey(String contentHash, String version, String className, List<String> args, List<String> jvmOptions,
        long heap, Map<String, String> env, int threads, long maxBody, long requestTimeoutMillis, HttpLimits httpLimits,
        ListenAddress listen, Warmup warmup) {

    static GenerationKey of(AppConfig app, Release release) {
        return new GenerationKey(release.contentHash(), release.version(), app.className(), app.args(), app.jvmOptions(),
                app.heap(), Map.copyOf(app.env()), app.threads(), app.maxBody(), app.requestTimeout().toMillis(),
                app.httpLimits(), app.listen(), app.warmup());
    }
}
